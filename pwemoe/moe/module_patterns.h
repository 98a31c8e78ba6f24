// Which parameters are upscaled: module-name patterns over Hugging Face parameter keys.
//
// Modules. A parameter key is a dotted path; its modules are its proper dotted prefixes, as in
// PyTorch's module tree: `vision_model.encoder.layers.3.mlp.fc1.weight` lies in the modules
// `vision_model`, `vision_model.encoder`, ..., `vision_model.encoder.layers.3.mlp` and
// `vision_model.encoder.layers.3.mlp.fc1`. A key is never a module of itself.
//
// Patterns.
//   - Without '*': the pattern is a dotted name suffix. It matches a module whose name equals it
//     or ends with "." + pattern, i.e. whose last components are exactly the pattern's components:
//     "mlp" matches every `...layers.N.mlp`; "self_attn" every `...layers.N.self_attn`;
//     "layers.0.mlp" only layer 0's MLP; "fc1" every `...mlp.fc1`; "mlp" does not match
//     `...mlp_extra` nor `...mlp.fc1`.
//   - With '*': a glob over the full module name, '*' matching any run of characters, dots
//     included: "vision_model.encoder.layers.*.mlp" matches every MLP, "*.layers.1*" matches
//     layers 1, 10, 11, ... (and, by the rule below, selects those whole layers).
//   - A parameter belongs to the OUTERMOST module any pattern matches; all the parameters of that
//     module are upscaled together under one router. So with the default "mlp", fc1.weight,
//     fc1.bias, fc2.weight and fc2.bias of a layer form one module; with {"layers.3", "mlp"} layer
//     3 is one module (its MLP included) and every other layer's MLP is one each.
//   - Only merged keys (see pool.h) take part: pretrained-only and non-floating keys are never
//     upscaled. A pattern that matches no module of these keys is an error.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "pwemoe/util/status.h"

namespace pwemoe::moe {

// One upscaled module and the parameter keys it holds (in NaturalLess order).
struct ModuleKeys {
  std::string module;
  std::vector<std::string> keys;
};

// a < b comparing dotted names component by component, all-digit components as numbers
// ("layers.2" < "layers.10"), a name before the names it prefixes.
bool NaturalLess(const std::string& a, const std::string& b);

// Whether `pattern` (see above) matches the module name `module`.
bool PatternMatches(const std::string& pattern, const std::string& module);

// Groups `keys` into upscaled modules by `patterns` (rules above), modules in NaturalLess order;
// keys no pattern covers are left out. InvalidArgument for an empty pattern list, an empty
// pattern, a plain pattern with an empty component ("a..b", ".mlp", "mlp."), and "upscale: module
// pattern 'P' matches no module" (with a did-you-mean hint when a module component is close) for
// a pattern matching none of the keys' modules.
Status SelectModules(const std::vector<std::string>& patterns, const std::vector<std::string>& keys,
                     std::vector<ModuleKeys>* out);

}  // namespace pwemoe::moe
