#include "pwemoe/mini/augment.h"

#include <algorithm>
#include <cmath>

namespace pwemoe::mini {
namespace {

constexpr double kPi = 3.14159265358979323846;

uint8_t ToPixel(double v) {
  return static_cast<uint8_t>(std::floor(std::clamp(v, 0.0, 255.0) + 0.5));
}

}  // namespace

double SeriesSin(double x) {
  // x - x^3/3! + x^5/5! - ... up to x^19, summed from the smallest term.
  const double x2 = x * x;
  double term = x;
  double terms[10];
  for (int k = 0; k < 10; ++k) {
    terms[k] = term;
    term = -term * x2 / ((2.0 * k + 2.0) * (2.0 * k + 3.0));
  }
  double sum = 0.0;
  for (int k = 9; k >= 0; --k) sum += terms[k];
  return sum;
}

double SeriesCos(double x) {
  const double x2 = x * x;
  double term = 1.0;
  double terms[10];
  for (int k = 0; k < 10; ++k) {
    terms[k] = term;
    term = -term * x2 / ((2.0 * k + 1.0) * (2.0 * k + 2.0));
  }
  double sum = 0.0;
  for (int k = 9; k >= 0; --k) sum += terms[k];
  return sum;
}

Affine DrawAffine(const JitterRange& range, Rng* rng) {
  Affine a;
  const double rot = std::min(range.max_rotation_deg, 45.0);
  a.rotation_deg = rng->Uniform(-rot, rot);
  a.scale = rng->Uniform(range.min_scale, range.max_scale);
  a.shear = rng->Uniform(-range.max_shear, range.max_shear);
  a.tx = rng->Uniform(-range.max_translate, range.max_translate);
  a.ty = rng->Uniform(-range.max_translate, range.max_translate);
  return a;
}

Image ApplyAffine(const Image& in, const Affine& a) {
  const double theta = a.rotation_deg * kPi / 180.0;
  const double c = SeriesCos(theta);
  const double s = SeriesSin(theta);
  // M = R * Sh * scale, R = [[c, -s], [s, c]], Sh = [[1, sh], [0, 1]].
  const double m00 = c * a.scale;
  const double m01 = (c * a.shear - s) * a.scale;
  const double m10 = s * a.scale;
  const double m11 = (s * a.shear + c) * a.scale;
  const double det = m00 * m11 - m01 * m10;
  const double i00 = m11 / det, i01 = -m01 / det, i10 = -m10 / det, i11 = m00 / det;
  const double centre = 0.5 * (kSide - 1);  // pixel centres at integer coordinates
  Image out{};
  for (int y = 0; y < kSide; ++y) {
    for (int x = 0; x < kSide; ++x) {
      const double dx = x - centre - a.tx;
      const double dy = y - centre - a.ty;
      const double sx = centre + i00 * dx + i01 * dy;
      const double sy = centre + i10 * dx + i11 * dy;
      const double fx = std::floor(sx);
      const double fy = std::floor(sy);
      if (fx < -1.0 || fy < -1.0 || fx > kSide - 1 || fy > kSide - 1) continue;
      const int x0 = static_cast<int>(fx);
      const int y0 = static_cast<int>(fy);
      const double ax = sx - fx;
      const double ay = sy - fy;
      auto at = [&](int xx, int yy) -> double {
        if (xx < 0 || yy < 0 || xx >= kSide || yy >= kSide) return 0.0;
        return in[yy * kSide + xx];
      };
      const double top = at(x0, y0) * (1.0 - ax) + at(x0 + 1, y0) * ax;
      const double bottom = at(x0, y0 + 1) * (1.0 - ax) + at(x0 + 1, y0 + 1) * ax;
      out[y * kSide + x] = ToPixel(top * (1.0 - ay) + bottom * ay);
    }
  }
  return out;
}

Image RotateQuarter(const Image& in, int quarter_turns) {
  const int k = ((quarter_turns % 4) + 4) % 4;
  Image out{};
  for (int y = 0; y < kSide; ++y) {
    for (int x = 0; x < kSide; ++x) {
      int sx = x, sy = y;  // the input pixel shown at (x, y)
      // Counter-clockwise on screen (y down): out(x, y) = in(W-1-y, x) for one quarter turn.
      switch (k) {
        case 1: sx = kSide - 1 - y; sy = x; break;
        case 2: sx = kSide - 1 - x; sy = kSide - 1 - y; break;
        case 3: sx = y; sy = kSide - 1 - x; break;
        default: break;
      }
      out[y * kSide + x] = in[sy * kSide + sx];
    }
  }
  return out;
}

Image Invert(const Image& in) {
  Image out;
  for (int i = 0; i < kPixels; ++i) out[i] = static_cast<uint8_t>(255 - in[i]);
  return out;
}

Image MirrorHorizontal(const Image& in) {
  Image out;
  for (int y = 0; y < kSide; ++y) {
    for (int x = 0; x < kSide; ++x) out[y * kSide + x] = in[y * kSide + (kSide - 1 - x)];
  }
  return out;
}

Image BoxBlur(const Image& in, int passes) {
  Image cur = in;
  for (int p = 0; p < passes; ++p) {
    Image out;
    for (int y = 0; y < kSide; ++y) {
      for (int x = 0; x < kSide; ++x) {
        int sum = 0;
        for (int dy = -1; dy <= 1; ++dy) {
          for (int dx = -1; dx <= 1; ++dx) {
            const int yy = y + dy, xx = x + dx;
            if (yy >= 0 && yy < kSide && xx >= 0 && xx < kSide) sum += cur[yy * kSide + xx];
          }
        }
        out[y * kSide + x] = static_cast<uint8_t>((sum + 4) / 9);
      }
    }
    cur = out;
  }
  return cur;
}

void AddNoise(double sigma, Rng* rng, Image* image) {
  if (!(sigma > 0.0)) return;
  for (int i = 0; i < kPixels; ++i) {
    (*image)[i] = ToPixel((*image)[i] + sigma * rng->Noise());
  }
}

}  // namespace pwemoe::mini
