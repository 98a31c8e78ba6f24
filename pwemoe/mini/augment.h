// Seeded augmentations of 28 x 28 images: a random affine jitter (rotation, scale, shear,
// translation about the centre, bilinear sampling, black outside), exact quarter turns,
// inversion and additive noise. Every draw comes from the caller's Rng and the arithmetic uses no
// library transcendental functions (sine and cosine are our own series), so the same seed gives
// bit-identical images on every machine.
//
// Thread safety: pure functions of their arguments; the Rng passed in is advanced.
#pragma once

#include "pwemoe/mini/image.h"
#include "pwemoe/mini/rng.h"

namespace pwemoe::mini {

// One affine transform: the output at p shows the input at c + M^-1 (p - c - t), where c is the
// image centre, t = (tx, ty) pixels and M = Rotation(rotation_deg) * Shear(shear) * scale
// (Shear(s) = [[1, s], [0, 1]]).
struct Affine {
  double rotation_deg = 0.0;
  double scale = 1.0;
  double shear = 0.0;
  double tx = 0.0;
  double ty = 0.0;
};

// The ranges a random jitter is drawn from (each uniform): rotation in [-max_rotation_deg,
// max_rotation_deg] (at most 45), scale in [min_scale, max_scale], shear in [-max_shear,
// max_shear], tx and ty each in [-max_translate, max_translate].
struct JitterRange {
  double max_rotation_deg = 0.0;
  double min_scale = 1.0;
  double max_scale = 1.0;
  double max_shear = 0.0;
  double max_translate = 0.0;
};

// Draws one transform from `range` (five draws from `rng`, in the order of Affine's fields).
Affine DrawAffine(const JitterRange& range, Rng* rng);

// `in` transformed by `a` with bilinear sampling; pixels that map outside `in` are 0.
Image ApplyAffine(const Image& in, const Affine& a);

// `in` turned counter-clockwise by quarter_turns * 90 degrees (any integer; exact, no sampling).
Image RotateQuarter(const Image& in, int quarter_turns);

// 255 - p for every pixel.
Image Invert(const Image& in);

// `in` mirrored left to right: out(x, y) = in(27 - x, y). Exact.
Image MirrorHorizontal(const Image& in);

// `in` blurred `passes` times by a 3 x 3 box filter (each pass: the mean of the pixel's
// neighbourhood, pixels outside the image counting as 0, the sum rounded half up). passes <= 0
// leaves the image as it is. Integer arithmetic only.
Image BoxBlur(const Image& in, int passes);

// Adds sigma * Rng::Noise() to every pixel (784 draws in row-major order), rounded and clamped to
// [0, 255]. sigma <= 0 leaves the image as it is and draws nothing.
void AddNoise(double sigma, Rng* rng, Image* image);

// sin and cos of `radians` (|radians| <= pi / 4 keeps them within 1e-16) by a fixed Taylor
// series: the same bits everywhere.
double SeriesSin(double radians);
double SeriesCos(double radians);

}  // namespace pwemoe::mini
