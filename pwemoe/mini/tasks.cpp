#include "pwemoe/mini/tasks.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "pwemoe/mini/augment.h"
#include "pwemoe/mini/rng.h"

namespace pwemoe::mini {
namespace {

constexpr char kDigitChars[] = "0123456789";
constexpr char kCapitalChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr char kLowerChars[] = "abcdefghijklmnopqrstuvwxyz";
constexpr char kFontTaskChars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

// Seed-derivation keys besides the task stream.
// The pretraining set's glyph classes: symbols, a label space no task uses.
constexpr char kSymbolChars[] = "!#$%&()*+/<=>?@[]^{}|~";
// The pretraining set's clothing classes: pairs of look-alike Fashion-MNIST classes, a label space
// that matches neither the clothing task's 10 classes nor the coarse task's 4 groups, and leaves
// the hard distinctions (T-shirt or shirt, pullover or coat, ...) to the experts.
constexpr int kClothingPair[10] = {0, 3, 1, 3, 1, 2, 0, 2, 4, 4};
// The share of clothing images in the pretraining set; the rest are symbol glyphs.
constexpr double kPretrainClothingShare = 0.1;
constexpr uint64_t kPermutationKey = 0xFFFFFFFFFFFFFFFFULL;

// Fashion-MNIST class -> coarse group (top, trousers or dress, footwear, bag).
constexpr int kCoarseGroup[10] = {0, 1, 0, 1, 0, 2, 0, 2, 3, 2};

// The 12 tasks after the first 8.
// Greek capitals (U+0391..U+03A9 without the unassigned U+03A2) and their names.
constexpr uint32_t kGreekFirst = 0x391;
const char* const kGreekNames[] = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta",
                                   "eta", "theta", "iota", "kappa", "lambda", "mu",
                                   "nu", "xi", "omicron", "pi", "rho", "sigma",
                                   "tau", "upsilon", "phi", "chi", "psi", "omega"};
// Cyrillic capitals not shaped like a Latin letter (nor like each other but for a mark: Й and Щ
// are left out), and their names.
constexpr uint32_t kCyrillicCodes[] = {0x411, 0x413, 0x414, 0x416, 0x417, 0x418,
                                       0x41B, 0x41F, 0x424, 0x426, 0x427, 0x428,
                                       0x42A, 0x42B, 0x42C, 0x42D, 0x42E, 0x42F};
const char* const kCyrillicNames[] = {"be", "ghe", "de", "zhe", "ze", "i",
                                      "el", "pe", "ef", "tse", "che", "sha",
                                      "hard sign", "yeru", "soft sign", "e", "yu", "ya"};
constexpr char kVowelChars[] = "AEIOUaeiou";
constexpr char kConsonantChars[] = "BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";
// Letters whose two cases differ in shape, in matching order.
constexpr char kCaseUpper[] = "ABDEFGHLMNQRTY";
constexpr char kCaseLower[] = "abdefghlmnqrty";
// Characters that look different mirrored.
constexpr char kMirrorChars[] = "BCDEFGJKLNPQRSZabcdefghjknpqrsyz2345679";
constexpr char kCapitalsAndDigits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
// Regular and bold cuts of the same family, as (regular, bold) indices into FontFiles().
constexpr int kWeightPairs[][2] = {{0, 1},   {2, 3},   {9, 10},  {11, 12},
                                   {17, 18}, {19, 20}, {21, 22}, {23, 24}};
// Capital heights of the `size` task's classes, as [lo, hi) bands.
constexpr double kSizeBands[][2] = {{8.5, 10.0}, {11.5, 13.0}, {14.5, 16.0}, {17.5, 19.0}};
// The Fashion-MNIST train images the 12 more tasks draw from: the 8's task slices, never
// pretraining's.
constexpr int64_t kSharedFashionBegin = 20000;
constexpr int64_t kSharedFashionEnd = 60000;

// Jitter ranges.
constexpr JitterRange kClothingJitter{8.0, 0.9, 1.1, 0.1, 1.5};
constexpr JitterRange kGlyphJitter{12.0, 0.9, 1.1, 0.25, 2.0};
constexpr JitterRange kFontJitter{4.0, 0.9, 1.1, 0.0, 2.0};  // no shear: it would fake italics
constexpr JitterRange kPretrainJitter{15.0, 0.85, 1.1, 0.2, 2.0};
constexpr JitterRange kSizeJitter{12.0, 1.0, 1.0, 0.25, 2.0};  // no scale: it is the label
constexpr JitterRange kQuadrantJitter{8.0, 0.45, 0.55, 0.1, 2.0};  // half size, then a quadrant

std::vector<std::string> Chars(const char* chars) {
  std::vector<std::string> out;
  for (const char* c = chars; *c; ++c) out.emplace_back(1, *c);
  return out;
}

std::vector<std::string> Names(const char* const* names, size_t n) {
  return std::vector<std::string>(names, names + n);
}

std::vector<std::string> Concat(std::vector<std::vector<std::string>> parts) {
  std::vector<std::string> out;
  for (auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

Image FromPixels(const uint8_t* p) {
  Image img;
  std::memcpy(img.data(), p, kPixels);
  return img;
}

// A glyph of `c` (a code point) from a random font (of `fonts`, or all fonts when empty) at a
// random size.
Status DrawRandomGlyph(GlyphRenderer* glyphs, uint32_t c, const std::vector<int>& fonts,
                       double min_cap, double max_cap, Rng* rng, Image* out) {
  const int font = fonts.empty()
                       ? static_cast<int>(rng->Below(static_cast<int64_t>(FontFiles().size())))
                       : fonts[rng->Below(static_cast<int64_t>(fonts.size()))];
  const double cap = rng->Uniform(min_cap, max_cap);
  return glyphs->DrawCodepoint(font, c, cap, out);
}

uint32_t Code(char c) { return static_cast<unsigned char>(c); }

// A character of `chars`, uniformly.
uint32_t PickChar(const char* chars, Rng* rng) {
  return Code(chars[rng->Below(static_cast<int64_t>(std::strlen(chars)))]);
}

// A glyph example of a character task: random font and size, jitter, sometimes noise; `mirror`
// flips the glyph left to right before the jitter.
Status GlyphExample(GlyphRenderer* glyphs, uint32_t c, Rng* rng, Image* out, bool mirror = false) {
  Image img;
  PWEMOE_RETURN_IF_ERROR(DrawRandomGlyph(glyphs, c, {}, 13.0, 19.0, rng, &img));
  if (mirror) img = MirrorHorizontal(img);
  img = ApplyAffine(img, DrawAffine(kGlyphJitter, rng));
  const double sigma = rng->Chance(0.5) ? rng->Uniform(0.0, 24.0) : 0.0;
  AddNoise(sigma, rng, &img);
  *out = img;
  return Status::Ok();
}

}  // namespace

const char* SplitName(Split split) { return split == Split::kTrain ? "train" : "test"; }

const std::vector<std::string>& ClothingClasses() {
  static const std::vector<std::string> classes = {"T-shirt/top", "Trouser", "Pullover", "Dress",
                                                   "Coat",        "Sandal",  "Shirt",    "Sneaker",
                                                   "Bag",         "Ankle boot"};
  return classes;
}

const std::vector<TaskDef>& MiniTasks() {
  static const std::vector<TaskDef> tasks = [] {
    std::vector<std::string> styles;
    for (int s = 0; s < kNumFontStyles; ++s) styles.push_back(FontStyleName(FontStyle(s)));
    return std::vector<TaskDef>{
        {"clothing", TaskKind::kClothing, ClothingClasses(), 20000, 30000, 1, {}},
        {"digits", TaskKind::kDigits, Chars(kDigitChars), -1, -1, 2, {}},
        {"letters", TaskKind::kLetters, Chars(kCapitalChars), -1, -1, 3, {}},
        {"rotation", TaskKind::kRotation,
         {"0 degrees", "90 degrees", "180 degrees", "270 degrees"}, 30000, 40000, 4, {}},
        {"fonts", TaskKind::kFonts, styles, -1, -1, 5, {}},
        {"inverted", TaskKind::kInverted, ClothingClasses(), 40000, 50000, 6, {}},
        {"lowercase", TaskKind::kLowercase, Chars(kLowerChars), -1, -1, 7, {}},
        {"coarse", TaskKind::kCoarse, {"top", "trousers or dress", "footwear", "bag"}, 50000,
         60000, 8, {}},
        // The 12 more.
        {"greek", TaskKind::kGreek, Names(kGreekNames, 24), -1, -1, 9, {}},
        {"cyrillic", TaskKind::kCyrillic, Names(kCyrillicNames, 18), -1, -1, 10, {}},
        {"parity", TaskKind::kParity, {"even", "odd"}, -1, -1, 11, {}},
        {"vowels", TaskKind::kVowels, {"vowel", "consonant"}, -1, -1, 12, {}},
        {"case", TaskKind::kCase, {"upper case", "lower case"}, -1, -1, 13, {}},
        {"mirror", TaskKind::kMirror, {"as drawn", "mirrored"}, -1, -1, 14, {}},
        {"weight", TaskKind::kWeight, {"regular", "bold"}, -1, -1, 15, {}},
        {"size", TaskKind::kSize, {"tiny", "small", "medium", "large"}, -1, -1, 16, {}},
        {"blur", TaskKind::kBlur, {"sharp", "blurred", "very blurred"}, kSharedFashionBegin,
         kSharedFashionEnd, 17, {}},
        {"quadrant", TaskKind::kQuadrant, {"top left", "top right", "bottom left", "bottom right"},
         kSharedFashionBegin, kSharedFashionEnd, 18, {}},
        {"footwear", TaskKind::kFootwear, {"Sandal", "Sneaker", "Ankle boot"},
         kSharedFashionBegin, kSharedFashionEnd, 19, {5, 7, 9}},
        {"tops", TaskKind::kTops, {"T-shirt/top", "Pullover", "Coat", "Shirt"},
         kSharedFashionBegin, kSharedFashionEnd, 20, {0, 2, 4, 6}},
    };
  }();
  return tasks;
}

const TaskDef& PretrainTask() {
  static const TaskDef task{
      "pretrain", TaskKind::kPretrain,
      Concat({{"T-shirt/top or Shirt", "Pullover or Coat", "Sandal or Sneaker",
               "Trouser or Dress", "Bag or Ankle boot"},
              Chars(kSymbolChars)}),
      0, 20000, 1000, {}};
  return task;
}

Status MakeExamples(const TaskDef& task, Split split, int64_t count, uint64_t seed,
                    const Sources& sources, Examples* out) {
  const FashionMnist& fm = *sources.fashion;
  const uint64_t split_key = split == Split::kTrain ? 1 : 2;
  if (count <= 0) {
    return Status::InvalidArgument(task.name + " " + SplitName(split) + ": " +
                                   std::to_string(count) + " examples asked, expected > 0");
  }
  // The Fashion-MNIST images this split may use, in a seeded random order.
  int64_t pool_begin = 0, pool_end = 0;
  const bool uses_fashion = task.fashion_begin >= 0;
  if (uses_fashion) {
    if (split == Split::kTrain) {
      pool_begin = task.fashion_begin;
      pool_end = std::min(task.fashion_end, fm.train_size());
    } else {
      pool_end = fm.test_size();
    }
    // Pretraining mixes in glyphs and uses fewer images than examples: asking for as many
    // keeps every draw inside the pool.
    const int64_t needed = count;
    if (pool_end - pool_begin < needed) {
      return Status::InvalidArgument(
          task.name + " " + SplitName(split) + ": " + std::to_string(count) +
          " examples asked, but only " + std::to_string(std::max<int64_t>(0, pool_end - pool_begin)) +
          " Fashion-MNIST images are set aside for this split");
    }
  }
  std::vector<int64_t> pool(static_cast<size_t>(pool_end - pool_begin));
  std::iota(pool.begin(), pool.end(), pool_begin);
  if (!task.fashion_classes.empty()) {
    // Only the kept classes' images; checked against `count` again below.
    const auto& labels = split == Split::kTrain ? fm.train_labels.data : fm.test_labels.data;
    const auto kept = [&](int64_t k) {
      return std::find(task.fashion_classes.begin(), task.fashion_classes.end(),
                       static_cast<int>(labels[k])) != task.fashion_classes.end();
    };
    pool.erase(std::remove_if(pool.begin(), pool.end(), [&](int64_t k) { return !kept(k); }),
               pool.end());
    if (static_cast<int64_t>(pool.size()) < count) {
      return Status::InvalidArgument(task.name + " " + SplitName(split) + ": " +
                                     std::to_string(count) + " examples asked, but only " +
                                     std::to_string(pool.size()) +
                                     " Fashion-MNIST images of its classes are set aside for this split");
    }
  }
  {
    Rng perm(DeriveSeed({seed, task.stream, split_key, kPermutationKey}));
    for (int64_t i = static_cast<int64_t>(pool.size()) - 1; i > 0; --i) {
      std::swap(pool[i], pool[perm.Below(i + 1)]);
    }
  }
  size_t next_image = 0;
  auto fashion = [&](int64_t* index, int* label) {
    const int64_t k = pool[next_image++];
    *index = split == Split::kTrain ? k : -1;
    *label = split == Split::kTrain ? fm.train_labels.data[k] : fm.test_labels.data[k];
    return FromPixels(split == Split::kTrain ? fm.train_image(k) : fm.test_image(k));
  };

  Examples ex;
  ex.count = count;
  ex.pixels.resize(static_cast<size_t>(count) * kPixels);
  ex.labels.resize(count);
  ex.fashion_train_index.assign(count, -1);
  const std::vector<int> no_fonts;
  for (int64_t i = 0; i < count; ++i) {
    Rng rng(DeriveSeed({seed, task.stream, split_key, static_cast<uint64_t>(i)}));
    Image img{};
    int64_t label = 0;
    int64_t source = -1;
    int cls = 0;
    switch (task.kind) {
      case TaskKind::kClothing:
        img = ApplyAffine(fashion(&source, &cls), DrawAffine(kClothingJitter, &rng));
        label = cls;
        break;
      case TaskKind::kRotation: {
        img = ApplyAffine(fashion(&source, &cls), DrawAffine(kClothingJitter, &rng));
        label = rng.Below(4);
        img = RotateQuarter(img, static_cast<int>(label));
        break;
      }
      case TaskKind::kInverted:
        img = Invert(ApplyAffine(fashion(&source, &cls), DrawAffine(kClothingJitter, &rng)));
        AddNoise(rng.Uniform(0.0, 10.0), &rng, &img);
        label = cls;
        break;
      case TaskKind::kCoarse:
        img = ApplyAffine(fashion(&source, &cls), DrawAffine(kClothingJitter, &rng));
        AddNoise(rng.Uniform(60.0, 100.0), &rng, &img);
        label = kCoarseGroup[cls];
        break;
      case TaskKind::kDigits:
      case TaskKind::kLetters:
      case TaskKind::kLowercase: {
        const char* chars = task.kind == TaskKind::kDigits    ? kDigitChars
                            : task.kind == TaskKind::kLetters ? kCapitalChars
                                                              : kLowerChars;
        label = rng.Below(static_cast<int64_t>(std::strlen(chars)));
        PWEMOE_RETURN_IF_ERROR(GlyphExample(sources.glyphs, Code(chars[label]), &rng, &img));
        break;
      }
      case TaskKind::kFonts: {
        label = rng.Below(kNumFontStyles);
        const uint32_t c = Code(kFontTaskChars[rng.Below(sizeof(kFontTaskChars) - 1)]);
        PWEMOE_RETURN_IF_ERROR(DrawRandomGlyph(sources.glyphs, c,
                                               FontsOfStyle(static_cast<FontStyle>(label)), 14.0,
                                               20.0, &rng, &img));
        img = ApplyAffine(img, DrawAffine(kFontJitter, &rng));
        AddNoise(rng.Uniform(0.0, 12.0), &rng, &img);
        break;
      }
      case TaskKind::kGreek:
        label = rng.Below(24);
        PWEMOE_RETURN_IF_ERROR(GlyphExample(sources.glyphs, kGreekFirst + (label < 17 ? label : label + 1), &rng, &img));
        break;
      case TaskKind::kCyrillic:
        label = rng.Below(18);
        PWEMOE_RETURN_IF_ERROR(GlyphExample(sources.glyphs, kCyrillicCodes[label], &rng, &img));
        break;
      case TaskKind::kParity:
        label = rng.Below(2);
        PWEMOE_RETURN_IF_ERROR(
            GlyphExample(sources.glyphs, Code('0') + 2 * rng.Below(5) + label, &rng, &img));
        break;
      case TaskKind::kVowels:
        label = rng.Below(2);
        PWEMOE_RETURN_IF_ERROR(GlyphExample(
            sources.glyphs, PickChar(label == 0 ? kVowelChars : kConsonantChars, &rng), &rng, &img));
        break;
      case TaskKind::kCase: {
        const int64_t k = rng.Below(static_cast<int64_t>(std::strlen(kCaseUpper)));
        label = rng.Below(2);
        PWEMOE_RETURN_IF_ERROR(
            GlyphExample(sources.glyphs, Code((label == 0 ? kCaseUpper : kCaseLower)[k]), &rng, &img));
        break;
      }
      case TaskKind::kMirror: {
        label = rng.Below(2);
        PWEMOE_RETURN_IF_ERROR(
            GlyphExample(sources.glyphs, PickChar(kMirrorChars, &rng), &rng, &img, label == 1));
        break;
      }
      case TaskKind::kWeight: {
        const int64_t pair = rng.Below(static_cast<int64_t>(sizeof kWeightPairs / sizeof kWeightPairs[0]));
        label = rng.Below(2);
        const uint32_t c = PickChar(kFontTaskChars, &rng);
        PWEMOE_RETURN_IF_ERROR(DrawRandomGlyph(sources.glyphs, c, {kWeightPairs[pair][label]}, 11.0,
                                               21.0, &rng, &img));
        img = ApplyAffine(img, DrawAffine(kFontJitter, &rng));
        AddNoise(rng.Uniform(0.0, 12.0), &rng, &img);
        break;
      }
      case TaskKind::kSize: {
        label = rng.Below(4);
        const uint32_t c = PickChar(kCapitalsAndDigits, &rng);
        PWEMOE_RETURN_IF_ERROR(DrawRandomGlyph(sources.glyphs, c, {}, kSizeBands[label][0],
                                               kSizeBands[label][1], &rng, &img));
        img = ApplyAffine(img, DrawAffine(kSizeJitter, &rng));
        if (rng.Chance(0.5)) AddNoise(rng.Uniform(0.0, 24.0), &rng, &img);
        break;
      }
      case TaskKind::kBlur:
        img = ApplyAffine(fashion(&source, &cls), DrawAffine(kClothingJitter, &rng));
        label = rng.Below(3);
        img = BoxBlur(img, static_cast<int>(label));
        AddNoise(rng.Uniform(0.0, 8.0), &rng, &img);
        break;
      case TaskKind::kQuadrant: {
        Affine a = DrawAffine(kQuadrantJitter, &rng);
        label = rng.Below(4);
        a.tx += (label % 2 == 1) ? 7.0 : -7.0;
        a.ty += (label / 2 == 1) ? 7.0 : -7.0;
        img = ApplyAffine(fashion(&source, &cls), a);
        break;
      }
      case TaskKind::kFootwear:
      case TaskKind::kTops: {
        img = ApplyAffine(fashion(&source, &cls), DrawAffine(kClothingJitter, &rng));
        label = std::find(task.fashion_classes.begin(), task.fashion_classes.end(), cls) -
                task.fashion_classes.begin();
        break;
      }
      case TaskKind::kPretrain: {
        // A tenth clothing (labelled by class pair), the rest symbol glyphs.
        if (rng.Uniform() < kPretrainClothingShare) {
          img = fashion(&source, &cls);
          label = kClothingPair[cls];
          img = ApplyAffine(img, DrawAffine(kPretrainJitter, &rng));
          if (rng.Chance(0.1)) img = RotateQuarter(img, 1 + static_cast<int>(rng.Below(3)));
          if (rng.Chance(0.15)) img = Invert(img);
        } else {
          const int64_t k = rng.Below(static_cast<int64_t>(std::strlen(kSymbolChars)));
          label = 5 + k;
          PWEMOE_RETURN_IF_ERROR(
              DrawRandomGlyph(sources.glyphs, Code(kSymbolChars[k]), no_fonts, 12.0, 20.0, &rng, &img));
          img = ApplyAffine(img, DrawAffine(kPretrainJitter, &rng));
          if (rng.Chance(0.1)) img = Invert(img);
        }
        if (rng.Chance(0.3)) AddNoise(rng.Uniform(5.0, 40.0), &rng, &img);
        break;
      }
    }
    std::memcpy(ex.pixels.data() + i * kPixels, img.data(), kPixels);
    ex.labels[i] = label;
    ex.fashion_train_index[i] = source;
  }
  *out = std::move(ex);
  return Status::Ok();
}

}  // namespace pwemoe::mini
