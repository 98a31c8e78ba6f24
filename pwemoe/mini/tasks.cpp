#include "pwemoe/mini/tasks.h"

#include <algorithm>
#include <cstring>
#include <iterator>
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

// The Fashion-MNIST images a split draws from, in their seeded order, handed out one at a time.
struct FashionPool {
  const FashionMnist* fm = nullptr;
  Split split = Split::kTrain;
  std::vector<int64_t> order;
  size_t next = 0;
};

}  // namespace

struct ExampleDraw {
  const TaskDef* task = nullptr;
  GlyphRenderer* glyphs = nullptr;
  FashionPool* pool = nullptr;
  Rng rng;
  Image img{};
  int64_t label = 0;
  int64_t source = -1;  // index into Fashion-MNIST's train file, or -1
};

namespace {

// The pool's next image; sets d->source, and its class into *cls.
Image NextFashion(ExampleDraw* d, int* cls) {
  FashionPool& p = *d->pool;
  const int64_t k = p.order[p.next++];
  const bool train = p.split == Split::kTrain;
  d->source = train ? k : -1;
  *cls = train ? p.fm->train_labels.data[k] : p.fm->test_labels.data[k];
  return FromPixels(train ? p.fm->train_image(k) : p.fm->test_image(k));
}

// The pool's next image with the clothing jitter; its class into *cls.
Image JitteredFashion(ExampleDraw* d, int* cls) {
  return ApplyAffine(NextFashion(d, cls), DrawAffine(kClothingJitter, &d->rng));
}

// A glyph of one of `chars`, labelled by its position.
Status CharExample(const char* chars, ExampleDraw* d) {
  d->label = d->rng.Below(static_cast<int64_t>(std::strlen(chars)));
  return GlyphExample(d->glyphs, Code(chars[d->label]), &d->rng, &d->img);
}

// Fashion-MNIST class, mild jitter.
Status ClothingExample(ExampleDraw* d) {
  int cls = 0;
  d->img = JitteredFashion(d, &cls);
  d->label = cls;
  return Status::Ok();
}

// Glyph '0'..'9'.
Status DigitExample(ExampleDraw* d) { return CharExample(kDigitChars, d); }

// Glyph 'A'..'Z'.
Status LetterExample(ExampleDraw* d) { return CharExample(kCapitalChars, d); }

// Quarter turns of a clothing image.
Status RotationExample(ExampleDraw* d) {
  int cls = 0;
  d->img = JitteredFashion(d, &cls);
  d->label = d->rng.Below(4);
  d->img = RotateQuarter(d->img, static_cast<int>(d->label));
  return Status::Ok();
}

// Font style of a glyph.
Status FontExample(ExampleDraw* d) {
  Rng& rng = d->rng;
  d->label = rng.Below(kNumFontStyles);
  const uint32_t c = Code(kFontTaskChars[rng.Below(sizeof(kFontTaskChars) - 1)]);
  PWEMOE_RETURN_IF_ERROR(DrawRandomGlyph(d->glyphs, c,
                                         FontsOfStyle(static_cast<FontStyle>(d->label)), 14.0,
                                         20.0, &rng, &d->img));
  d->img = ApplyAffine(d->img, DrawAffine(kFontJitter, &rng));
  AddNoise(rng.Uniform(0.0, 12.0), &rng, &d->img);
  return Status::Ok();
}

// Clothing class of an inverted image.
Status InvertedExample(ExampleDraw* d) {
  int cls = 0;
  d->img = Invert(JitteredFashion(d, &cls));
  AddNoise(d->rng.Uniform(0.0, 10.0), &d->rng, &d->img);
  d->label = cls;
  return Status::Ok();
}

// Glyph 'a'..'z'.
Status LowercaseExample(ExampleDraw* d) { return CharExample(kLowerChars, d); }

// Coarse clothing group of a noisy image.
Status CoarseExample(ExampleDraw* d) {
  int cls = 0;
  d->img = JitteredFashion(d, &cls);
  AddNoise(d->rng.Uniform(60.0, 100.0), &d->rng, &d->img);
  d->label = kCoarseGroup[cls];
  return Status::Ok();
}

// Greek capital letter.
Status GreekExample(ExampleDraw* d) {
  d->label = d->rng.Below(24);
  const uint32_t c = kGreekFirst + static_cast<uint32_t>(d->label < 17 ? d->label : d->label + 1);
  return GlyphExample(d->glyphs, c, &d->rng, &d->img);
}

// Cyrillic capital letter not shaped like a Latin one.
Status CyrillicExample(ExampleDraw* d) {
  d->label = d->rng.Below(18);
  return GlyphExample(d->glyphs, kCyrillicCodes[d->label], &d->rng, &d->img);
}

// Even or odd digit glyph.
Status ParityExample(ExampleDraw* d) {
  d->label = d->rng.Below(2);
  const uint32_t c = static_cast<uint32_t>(Code('0') + 2 * d->rng.Below(5) + d->label);
  return GlyphExample(d->glyphs, c, &d->rng, &d->img);
}

// Vowel or consonant letter glyph.
Status VowelExample(ExampleDraw* d) {
  d->label = d->rng.Below(2);
  const uint32_t c = PickChar(d->label == 0 ? kVowelChars : kConsonantChars, &d->rng);
  return GlyphExample(d->glyphs, c, &d->rng, &d->img);
}

// Upper- or lower-case letter of the same letters.
Status CaseExample(ExampleDraw* d) {
  const int64_t k = d->rng.Below(static_cast<int64_t>(std::strlen(kCaseUpper)));
  d->label = d->rng.Below(2);
  const uint32_t c = Code((d->label == 0 ? kCaseUpper : kCaseLower)[k]);
  return GlyphExample(d->glyphs, c, &d->rng, &d->img);
}

// Glyph as drawn or mirrored left to right.
Status MirrorExample(ExampleDraw* d) {
  d->label = d->rng.Below(2);
  const uint32_t c = PickChar(kMirrorChars, &d->rng);
  return GlyphExample(d->glyphs, c, &d->rng, &d->img, d->label == 1);
}

// Regular or bold cut of the same font family.
Status WeightExample(ExampleDraw* d) {
  Rng& rng = d->rng;
  const int64_t pair = rng.Below(static_cast<int64_t>(std::size(kWeightPairs)));
  d->label = rng.Below(2);
  const uint32_t c = PickChar(kFontTaskChars, &rng);
  PWEMOE_RETURN_IF_ERROR(
      DrawRandomGlyph(d->glyphs, c, {kWeightPairs[pair][d->label]}, 11.0, 21.0, &rng, &d->img));
  d->img = ApplyAffine(d->img, DrawAffine(kFontJitter, &rng));
  AddNoise(rng.Uniform(0.0, 12.0), &rng, &d->img);
  return Status::Ok();
}

// Capital-height class of a glyph.
Status SizeExample(ExampleDraw* d) {
  Rng& rng = d->rng;
  d->label = rng.Below(4);
  const uint32_t c = PickChar(kCapitalsAndDigits, &rng);
  PWEMOE_RETURN_IF_ERROR(DrawRandomGlyph(d->glyphs, c, {}, kSizeBands[d->label][0],
                                         kSizeBands[d->label][1], &rng, &d->img));
  d->img = ApplyAffine(d->img, DrawAffine(kSizeJitter, &rng));
  if (rng.Chance(0.5)) AddNoise(rng.Uniform(0.0, 24.0), &rng, &d->img);
  return Status::Ok();
}

// Blur level of a clothing image.
Status BlurExample(ExampleDraw* d) {
  int cls = 0;
  d->img = JitteredFashion(d, &cls);
  d->label = d->rng.Below(3);
  d->img = BoxBlur(d->img, static_cast<int>(d->label));
  AddNoise(d->rng.Uniform(0.0, 8.0), &d->rng, &d->img);
  return Status::Ok();
}

// Quadrant of a half-size clothing image.
Status QuadrantExample(ExampleDraw* d) {
  Affine a = DrawAffine(kQuadrantJitter, &d->rng);
  d->label = d->rng.Below(4);
  a.tx += (d->label % 2 == 1) ? 7.0 : -7.0;
  a.ty += (d->label / 2 == 1) ? 7.0 : -7.0;
  int cls = 0;
  d->img = ApplyAffine(NextFashion(d, &cls), a);
  return Status::Ok();
}

// A kept Fashion-MNIST class (footwear, tops), labelled by its position in fashion_classes.
Status KeptClassExample(ExampleDraw* d) {
  int cls = 0;
  d->img = JitteredFashion(d, &cls);
  const std::vector<int>& kept = d->task->fashion_classes;
  d->label = std::find(kept.begin(), kept.end(), cls) - kept.begin();
  return Status::Ok();
}

// The generalist mix: a tenth clothing (labelled by class pair), the rest symbol glyphs.
Status PretrainExample(ExampleDraw* d) {
  Rng& rng = d->rng;
  if (rng.Uniform() < kPretrainClothingShare) {
    int cls = 0;
    d->img = NextFashion(d, &cls);
    d->label = kClothingPair[cls];
    d->img = ApplyAffine(d->img, DrawAffine(kPretrainJitter, &rng));
    if (rng.Chance(0.1)) d->img = RotateQuarter(d->img, 1 + static_cast<int>(rng.Below(3)));
    if (rng.Chance(0.15)) d->img = Invert(d->img);
  } else {
    const int64_t k = rng.Below(static_cast<int64_t>(std::strlen(kSymbolChars)));
    d->label = 5 + k;
    PWEMOE_RETURN_IF_ERROR(
        DrawRandomGlyph(d->glyphs, Code(kSymbolChars[k]), {}, 12.0, 20.0, &rng, &d->img));
    d->img = ApplyAffine(d->img, DrawAffine(kPretrainJitter, &rng));
    if (rng.Chance(0.1)) d->img = Invert(d->img);
  }
  if (rng.Chance(0.3)) AddNoise(rng.Uniform(5.0, 40.0), &rng, &d->img);
  return Status::Ok();
}

std::string CountAsked(const TaskDef& task, Split split, int64_t count) {
  return task.name + " " + SplitName(split) + ": " + std::to_string(count) + " examples asked";
}

// The split's Fashion-MNIST images into pool->order (none for glyph tasks): the task's train
// slice or all of t10k, only its kept classes, in a seeded random order. InvalidArgument when
// fewer than `count` are set aside.
Status FillPool(const TaskDef& task, Split split, int64_t count, uint64_t seed, uint64_t split_key,
                FashionPool* pool) {
  const FashionMnist& fm = *pool->fm;
  int64_t begin = 0, end = 0;
  if (task.fashion_begin >= 0) {
    begin = split == Split::kTrain ? task.fashion_begin : 0;
    end = split == Split::kTrain ? std::min(task.fashion_end, fm.train_size()) : fm.test_size();
    // Pretraining mixes in glyphs and uses fewer images than examples: asking for as many
    // keeps every draw inside the pool.
    if (end - begin < count) {
      return Status::InvalidArgument(CountAsked(task, split, count) + ", but only " +
                                     std::to_string(std::max<int64_t>(0, end - begin)) +
                                     " Fashion-MNIST images are set aside for this split");
    }
  }
  std::vector<int64_t>& order = pool->order;
  order.resize(static_cast<size_t>(end - begin));
  std::iota(order.begin(), order.end(), begin);
  if (!task.fashion_classes.empty()) {
    const auto& labels = split == Split::kTrain ? fm.train_labels.data : fm.test_labels.data;
    const std::vector<int>& kept = task.fashion_classes;
    order.erase(std::remove_if(order.begin(), order.end(),
                               [&](int64_t k) {
                                 return std::find(kept.begin(), kept.end(),
                                                  static_cast<int>(labels[k])) == kept.end();
                               }),
                order.end());
    if (static_cast<int64_t>(order.size()) < count) {
      return Status::InvalidArgument(
          CountAsked(task, split, count) + ", but only " + std::to_string(order.size()) +
          " Fashion-MNIST images of its classes are set aside for this split");
    }
  }
  Rng perm(DeriveSeed({seed, task.stream, split_key, kPermutationKey}));
  for (int64_t i = static_cast<int64_t>(order.size()) - 1; i > 0; --i) {
    std::swap(order[i], order[perm.Below(i + 1)]);
  }
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
    const int64_t b = kSharedFashionBegin, e = kSharedFashionEnd;
    return std::vector<TaskDef>{
        {"clothing", ClothingExample, ClothingClasses(), 20000, 30000, 1, {}},
        {"digits", DigitExample, Chars(kDigitChars), -1, -1, 2, {}},
        {"letters", LetterExample, Chars(kCapitalChars), -1, -1, 3, {}},
        {"rotation", RotationExample, {"0 degrees", "90 degrees", "180 degrees", "270 degrees"},
         30000, 40000, 4, {}},
        {"fonts", FontExample, styles, -1, -1, 5, {}},
        {"inverted", InvertedExample, ClothingClasses(), 40000, 50000, 6, {}},
        {"lowercase", LowercaseExample, Chars(kLowerChars), -1, -1, 7, {}},
        {"coarse", CoarseExample, {"top", "trousers or dress", "footwear", "bag"}, 50000, 60000,
         8, {}},
        // The 12 more.
        {"greek", GreekExample, Names(kGreekNames, std::size(kGreekNames)), -1, -1, 9, {}},
        {"cyrillic", CyrillicExample, Names(kCyrillicNames, std::size(kCyrillicNames)), -1, -1,
         10, {}},
        {"parity", ParityExample, {"even", "odd"}, -1, -1, 11, {}},
        {"vowels", VowelExample, {"vowel", "consonant"}, -1, -1, 12, {}},
        {"case", CaseExample, {"upper case", "lower case"}, -1, -1, 13, {}},
        {"mirror", MirrorExample, {"as drawn", "mirrored"}, -1, -1, 14, {}},
        {"weight", WeightExample, {"regular", "bold"}, -1, -1, 15, {}},
        {"size", SizeExample, {"tiny", "small", "medium", "large"}, -1, -1, 16, {}},
        {"blur", BlurExample, {"sharp", "blurred", "very blurred"}, b, e, 17, {}},
        {"quadrant", QuadrantExample, {"top left", "top right", "bottom left", "bottom right"}, b,
         e, 18, {}},
        {"footwear", KeptClassExample, {"Sandal", "Sneaker", "Ankle boot"}, b, e, 19, {5, 7, 9}},
        {"tops", KeptClassExample, {"T-shirt/top", "Pullover", "Coat", "Shirt"}, b, e, 20,
         {0, 2, 4, 6}},
    };
  }();
  return tasks;
}

const TaskDef& PretrainTask() {
  static const TaskDef task{
      "pretrain", PretrainExample,
      Concat({{"T-shirt/top or Shirt", "Pullover or Coat", "Sandal or Sneaker",
               "Trouser or Dress", "Bag or Ankle boot"},
              Chars(kSymbolChars)}),
      0, 20000, 1000, {}};
  return task;
}

Status MakeExamples(const TaskDef& task, Split split, int64_t count, uint64_t seed,
                    const Sources& sources, Examples* out) {
  if (count <= 0) {
    return Status::InvalidArgument(CountAsked(task, split, count) + ", expected > 0");
  }
  const uint64_t split_key = split == Split::kTrain ? 1 : 2;
  FashionPool pool;
  pool.fm = sources.fashion;
  pool.split = split;
  PWEMOE_RETURN_IF_ERROR(FillPool(task, split, count, seed, split_key, &pool));
  Examples ex;
  ex.count = count;
  ex.pixels.resize(static_cast<size_t>(count) * kPixels);
  ex.labels.resize(count);
  ex.fashion_train_index.assign(count, -1);
  for (int64_t i = 0; i < count; ++i) {
    ExampleDraw d{&task, sources.glyphs, &pool,
                  Rng(DeriveSeed({seed, task.stream, split_key, static_cast<uint64_t>(i)}))};
    PWEMOE_RETURN_IF_ERROR(task.make(&d));
    std::memcpy(ex.pixels.data() + i * kPixels, d.img.data(), kPixels);
    ex.labels[i] = d.label;
    ex.fashion_train_index[i] = d.source;
  }
  *out = std::move(ex);
  return Status::Ok();
}

}  // namespace pwemoe::mini
