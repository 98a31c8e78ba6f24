#include "config_testing.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace pwemoe::testing {

namespace fs = std::filesystem;

namespace {
// Line numbers matter: the error tests name them.
const std::vector<std::string> kBase = {
    /* 1 */ "[experiment]",
    /* 2 */ "name = \"t\"",
    /* 3 */ "seed = 1",
    /* 4 */ "output_dir = \"ROOT/out\"",
    /* 5 */ "",
    /* 6 */ "[model]",
    /* 7 */ "pretrained = \"ROOT/pre\"",
    /* 8 */ "experts = \"ROOT/experts/{task}\"",
    /* 9 */ "heads = \"ROOT/heads/{task}.safetensors\"",
    /* 10 */ "",
    /* 11 */ "[tasks]",
    /* 12 */ "names = [\"sun397\", \"cars\", \"dtd\"]",
    /* 13 */ "train_data = \"ROOT/data/{task}/train.h5\"",
    /* 14 */ "test_data = \"ROOT/data/{task}/test.h5\"",
    /* 15 */ "",
    /* 16 */ "[train]",
    /* 17 */ "variants = [\"ls\", \"epo\"]",
    /* 18 */ "subsets = [[\"sun397\", \"cars\"], \"all\"]",
    /* 19 */ "steps = 10",
    /* 20 */ "lr = 0.01",
    /* 21 */ "",
    /* 22 */ "[eval]",
    /* 23 */ "grid_points = 5",
};

void Touch(const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << "x";
}
}  // namespace

ExperimentTree::ExperimentTree() {
  std::string tmpl = (fs::temp_directory_path() / "pwemoe-config-XXXXXX").string();
  root_ = mkdtemp(tmpl.data());
  fs::create_directories(root_ + "/pre");
  for (const char* t : {"sun397", "cars", "dtd"}) {
    fs::create_directories(root_ + "/experts/" + t);
    Touch(root_ + "/heads/" + t + ".safetensors");
    Touch(root_ + "/data/" + t + "/train.h5");
    Touch(root_ + "/data/" + t + "/test.h5");
  }
}

ExperimentTree::~ExperimentTree() {
  std::error_code ec;
  fs::remove_all(root_, ec);
}

std::string ExperimentTree::Fill(std::string s) const {
  for (size_t pos; (pos = s.find("ROOT")) != std::string::npos;) s.replace(pos, 4, root_);
  return s;
}

std::string ExperimentTree::BaseText() const { return WithLine(0, ""); }

std::string ExperimentTree::WithLine(int line, const std::string& text) const {
  std::string out;
  for (size_t i = 0; i < kBase.size(); ++i) out += (static_cast<int>(i) + 1 == line ? text : kBase[i]) + "\n";
  return Fill(out);
}

std::string ExperimentTree::Write(const std::string& name, const std::string& text) const {
  std::string path = root_ + "/" + name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace pwemoe::testing
