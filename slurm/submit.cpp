#include "slurm/submit.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <vector>

#include "slurm/batch_template.h"

namespace pwemoe::slurm {
namespace {

// A value and the key that names it in errors.
struct Value {
  std::string key;
  std::string text;
  bool shell_words = false;  // already a list of shell-quoted words (@ARGS@): never re-quoted
};

Status CheckLine(const std::string& key, const std::string& text) {
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\0') {
      return Status::InvalidArgument(key + ": a line break or NUL byte would break the batch script");
    }
  }
  return Status::Ok();
}

bool SafeWord(const std::string& s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || std::string("_./:%+=,@-").find(static_cast<char>(c)) != std::string::npos;
  });
}

// A value on an #SBATCH line, read by sbatch's parser (quotes stripped, backslash escapes).
Status SbatchWord(const Value& v, std::string* out) {
  if (SafeWord(v.text)) return *out = v.text, Status::Ok();
  if (v.text.find('\\') != std::string::npos) {
    return Status::InvalidArgument(v.key + ": a backslash cannot go on an #SBATCH line (\"" + v.text + "\")");
  }
  *out = ShellQuote(v.text);
  return Status::Ok();
}

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// Placeholder at s[i] ('@'): "@NAME@" with NAME in [A-Z_]+; sets *name and *len.
bool PlaceholderAt(const std::string& s, size_t i, std::string* name, size_t* len) {
  size_t j = i + 1;
  while (j < s.size() && (std::isupper(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
  if (j == i + 1 || j >= s.size() || s[j] != '@') return false;
  *name = s.substr(i + 1, j - i - 1);
  *len = j - i + 1;
  return true;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace

const std::string& BatchTemplate() {
  static const std::string text = generated::kBatchTemplate;
  return text;
}

std::string JobScriptPath(const config::ExperimentConfig& cfg) {
  return cfg.experiment.output_dir + "/slurm/job.sbatch";
}

std::string SlurmOutputPath(const config::ExperimentConfig& cfg) {
  return cfg.experiment.output_dir + "/slurm/slurm-%j.out";
}

std::string ResultsPath(const config::ExperimentConfig& cfg) {
  return cfg.experiment.output_dir + "/results.h5";
}

std::string ShellQuote(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

Status CheckOrchestrateArg(const std::string& arg) {
  const std::string name = arg.substr(0, arg.find('='));
  for (const char* refused : {"--fresh", "--dry-run", "--check-done", "--help", "--version", "--grace"}) {
    if (name == refused) {
      return Status::InvalidArgument("orchestrator argument " + arg + ": not allowed in a batch job (" +
                                     (name == "--fresh" ? std::string("every requeue would start over; move the "
                                                                      "output aside or use a new output_dir")
                                      : name == "--grace" ? std::string("set from slurm.signal_grace")
                                                          : std::string("the job would do no work")) + ")");
    }
  }
  return Status::Ok();
}

namespace {

using Values = std::map<std::string, Value>;

// The orchestrator's arguments as shell words: cfg.overrides as --set pairs, then command.args.
Status OrchestratorArgs(const config::ExperimentConfig& cfg, const JobCommand& command,
                        std::string* args) {
  for (const std::string& o : cfg.overrides) {
    PWEMOE_RETURN_IF_ERROR(CheckLine("--set " + o.substr(0, o.find('=')), o));
    *args += (args->empty() ? "" : " ") + std::string("--set ") + ShellQuote(o);
  }
  for (const std::string& a : command.args) {
    PWEMOE_RETURN_IF_ERROR(CheckOrchestrateArg(a));
    PWEMOE_RETURN_IF_ERROR(CheckLine("orchestrator argument", a));
    *args += (args->empty() ? "" : " ") + ShellQuote(a);
  }
  return Status::Ok();
}

// The value of every placeholder but @SBATCH_EXTRA@, each checked with CheckLine.
Status PlaceholderValues(const config::ExperimentConfig& cfg, const JobCommand& command,
                         const std::string& args, Values* values) {
  const config::SlurmSection& s = cfg.slurm;
  *values = {
      {"JOB_NAME", {"experiment.name", cfg.experiment.name}},
      {"NODES", {"slurm.nodes", std::to_string(s.nodes)}},
      {"TASKS_PER_NODE", {"slurm.tasks_per_node", std::to_string(s.tasks_per_node)}},
      {"CPUS_PER_TASK", {"slurm.cpus_per_task", std::to_string(s.cpus_per_task)}},
      {"MEM", {"slurm.mem", s.mem}},
      {"TIME", {"slurm.time", s.time}},
      {"SIGNAL_GRACE", {"slurm.signal_grace", std::to_string(s.signal_grace)}},
      {"REQUEUE", {"slurm.requeue", s.requeue ? "--requeue" : "--no-requeue"}},
      {"OUTPUT", {"experiment.output_dir", SlurmOutputPath(cfg)}},
      {"LAUNCHER", {"slurm.launcher", s.launcher}},
      {"MPI_PLUGIN", {"mpi plugin", kMpiPlugin}},
      {"ORCHESTRATE", {"orchestrate path", command.orchestrate}},
      {"EXPERIMENT", {"experiment path", command.experiment}},
      {"ARGS", {"--set", args, true}},
      {"GRACE", {"slurm.signal_grace", std::to_string(std::max(1, s.signal_grace / 2))}},
      {"MAX_REQUEUES", {"max requeues", std::to_string(kMaxRequeues)}},
  };
  for (const auto& [name, v] : *values) PWEMOE_RETURN_IF_ERROR(CheckLine(v.key, v.text));
  return Status::Ok();
}

// @SBATCH_EXTRA@: whole #SBATCH lines for partition, account, qos, GPUs and slurm.extra.
Status SbatchExtraLines(const config::SlurmSection& s, std::vector<std::string>* extra) {
  const std::pair<const char*, const std::string*> named[] = {
      {"partition", &s.partition}, {"account", &s.account}, {"qos", &s.qos}};
  for (const auto& [key, text] : named) {
    if (text->empty()) continue;
    Value v{std::string("slurm.") + key, *text};
    PWEMOE_RETURN_IF_ERROR(CheckLine(v.key, v.text));
    std::string word;
    PWEMOE_RETURN_IF_ERROR(SbatchWord(v, &word));
    extra->push_back(std::string("#SBATCH --") + key + "=" + word);
  }
  if (s.gpus_per_node > 0) extra->push_back("#SBATCH --gpus-per-node=" + std::to_string(s.gpus_per_node));
  for (size_t i = 0; i < s.extra.size(); ++i) {
    PWEMOE_RETURN_IF_ERROR(CheckLine("slurm.extra[" + std::to_string(i) + "]", s.extra[i]));
    extra->push_back("#SBATCH " + s.extra[i]);
  }
  return Status::Ok();
}

// One template line (not "@SBATCH_EXTRA@") with its placeholders filled, appended to *out with
// its "\n": names alone in a comment, sbatch words on an #SBATCH line, shell words elsewhere.
Status RenderLine(const std::string& line, const Values& values, std::string* out) {
  const bool sbatch = StartsWith(line, "#SBATCH");
  const bool comment = !sbatch && StartsWith(line, "#");
  for (size_t i = 0; i < line.size();) {
    std::string name;
    size_t len = 0;
    if (line[i] != '@' || !PlaceholderAt(line, i, &name, &len)) {
      *out += line[i++];
      continue;
    }
    auto it = values.find(name);
    if (name != "SBATCH_EXTRA" && it == values.end()) {
      return Status::Internal("the batch template holds @" + name + "@, which pwemoe-submit does not fill");
    }
    if (comment) {
      *out += name;  // documentation of the placeholder
    } else if (name == "SBATCH_EXTRA") {
      return Status::Internal("the batch template holds @SBATCH_EXTRA@ other than on a line of its own");
    } else if (sbatch) {
      std::string word;
      PWEMOE_RETURN_IF_ERROR(SbatchWord(it->second, &word));
      *out += word;
    } else {
      *out += it->second.shell_words ? it->second.text : ShellQuote(it->second.text);
    }
    i += len;
  }
  *out += "\n";
  return Status::Ok();
}

}  // namespace

Status RenderBatchScript(const config::ExperimentConfig& cfg, const JobCommand& command,
                         std::string* script) {
  return RenderBatchScriptFrom(BatchTemplate(), cfg, command, script);
}

Status RenderBatchScriptFrom(const std::string& tmpl, const config::ExperimentConfig& cfg,
                             const JobCommand& command, std::string* script) {
  std::string args;
  PWEMOE_RETURN_IF_ERROR(OrchestratorArgs(cfg, command, &args));
  Values values;
  PWEMOE_RETURN_IF_ERROR(PlaceholderValues(cfg, command, args, &values));
  std::vector<std::string> extra;
  PWEMOE_RETURN_IF_ERROR(SbatchExtraLines(cfg.slurm, &extra));
  std::string out;
  for (const std::string& line : Lines(tmpl)) {
    if (line == "@SBATCH_EXTRA@") {
      for (const std::string& e : extra) out += e + "\n";
      continue;
    }
    PWEMOE_RETURN_IF_ERROR(RenderLine(line, values, &out));
  }
  *script = std::move(out);
  return Status::Ok();
}

}  // namespace pwemoe::slurm
