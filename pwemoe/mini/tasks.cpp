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

// Jitter ranges.
constexpr JitterRange kClothingJitter{8.0, 0.9, 1.1, 0.1, 1.5};
constexpr JitterRange kGlyphJitter{12.0, 0.9, 1.1, 0.25, 2.0};
constexpr JitterRange kFontJitter{4.0, 0.9, 1.1, 0.0, 2.0};  // no shear: it would fake italics
constexpr JitterRange kPretrainJitter{15.0, 0.85, 1.1, 0.2, 2.0};

std::vector<std::string> Chars(const char* chars) {
  std::vector<std::string> out;
  for (const char* c = chars; *c; ++c) out.emplace_back(1, *c);
  return out;
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

// A glyph of `c` from a random font (of `fonts`, or all fonts when empty) at a random size.
Status DrawRandomGlyph(GlyphRenderer* glyphs, char c, const std::vector<int>& fonts,
                       double min_cap, double max_cap, Rng* rng, Image* out) {
  const int font = fonts.empty()
                       ? static_cast<int>(rng->Below(static_cast<int64_t>(FontFiles().size())))
                       : fonts[rng->Below(static_cast<int64_t>(fonts.size()))];
  const double cap = rng->Uniform(min_cap, max_cap);
  return glyphs->Draw(font, c, cap, out);
}

// A glyph example of a character task: random font and size, jitter, sometimes noise.
Status GlyphExample(GlyphRenderer* glyphs, char c, Rng* rng, Image* out) {
  Image img;
  PWEMOE_RETURN_IF_ERROR(DrawRandomGlyph(glyphs, c, {}, 13.0, 19.0, rng, &img));
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
        {"clothing", TaskKind::kClothing, ClothingClasses(), 20000, 30000, 1},
        {"digits", TaskKind::kDigits, Chars(kDigitChars), -1, -1, 2},
        {"letters", TaskKind::kLetters, Chars(kCapitalChars), -1, -1, 3},
        {"rotation", TaskKind::kRotation,
         {"0 degrees", "90 degrees", "180 degrees", "270 degrees"}, 30000, 40000, 4},
        {"fonts", TaskKind::kFonts, styles, -1, -1, 5},
        {"inverted", TaskKind::kInverted, ClothingClasses(), 40000, 50000, 6},
        {"lowercase", TaskKind::kLowercase, Chars(kLowerChars), -1, -1, 7},
        {"coarse", TaskKind::kCoarse, {"top", "trousers or dress", "footwear", "bag"}, 50000,
         60000, 8},
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
      0, 20000, 1000};
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
        PWEMOE_RETURN_IF_ERROR(GlyphExample(sources.glyphs, chars[label], &rng, &img));
        break;
      }
      case TaskKind::kFonts: {
        label = rng.Below(kNumFontStyles);
        const char c = kFontTaskChars[rng.Below(sizeof(kFontTaskChars) - 1)];
        PWEMOE_RETURN_IF_ERROR(DrawRandomGlyph(sources.glyphs, c,
                                               FontsOfStyle(static_cast<FontStyle>(label)), 14.0,
                                               20.0, &rng, &img));
        img = ApplyAffine(img, DrawAffine(kFontJitter, &rng));
        AddNoise(rng.Uniform(0.0, 12.0), &rng, &img);
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
              DrawRandomGlyph(sources.glyphs, kSymbolChars[k], no_fonts, 12.0, 20.0, &rng, &img));
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
