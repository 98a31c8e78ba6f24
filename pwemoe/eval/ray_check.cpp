#include "pwemoe/eval/ray_check.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <sstream>

namespace pwemoe::eval {

Status ValidateRay(const Ray& ray, int64_t num_tasks, const std::string& name) {
  if (static_cast<int64_t>(ray.size()) != num_tasks) {
    return Status::InvalidArgument(name + ": expected " + std::to_string(num_tasks) +
                                   " entries (one per task), found " +
                                   std::to_string(ray.size()));
  }
  double sum = 0.0;
  for (size_t i = 0; i < ray.size(); ++i) {
    if (!std::isfinite(ray[i]) || ray[i] < 0.0) {
      std::ostringstream msg;
      msg << name << ": entry " << (i + 1) << " is " << ray[i]
          << ", expected a finite value >= 0";
      return Status::InvalidArgument(msg.str());
    }
    sum += ray[i];
  }
  if (std::fabs(sum - 1.0) > kRaySumTolerance) {
    std::ostringstream msg;
    msg << name << ": entries sum to " << std::setprecision(17) << sum << ", expected 1 (within "
        << std::setprecision(6) << kRaySumTolerance << ")";
    return Status::InvalidArgument(msg.str());
  }
  return Status::Ok();
}

Status ParseRay(const std::string& text, const std::string& name, Ray* out) {
  Ray ray;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string item =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    errno = 0;
    char* end = nullptr;
    const double value = std::strtod(item.c_str(), &end);
    if (item.empty() || end != item.c_str() + item.size() || errno == ERANGE) {
      return Status::InvalidArgument(name + ": entry " + std::to_string(ray.size() + 1) + " '" +
                                     item + "' is not a number (expected r1,...,rT)");
    }
    ray.push_back(value);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  *out = std::move(ray);
  return Status::Ok();
}

}  // namespace pwemoe::eval
