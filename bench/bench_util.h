#pragma once
// Helpers shared by the bench programs: "--name value" flags and the scratch directory a
// bench's store lives in. Header-only; bench code only.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

namespace timelined::bench {

// Reads "--name value" pairs. An unknown flag or a missing/non-numeric value exits 2 with a
// message, so a typo never runs a bench with defaults silently.
class Flags {
 public:
  Flags(int argc, char** argv) : argc_(argc), argv_(argv) {
    for (int i = 1; i < argc; i += 2) {
      if (i + 1 >= argc) Fail("flag without a value", argv[i]);
    }
  }
  int Int(std::string_view name, int fallback) {
    const char* v = Find(name);
    if (v == nullptr) return fallback;
    char* end = nullptr;
    const long n = std::strtol(v, &end, 10);
    if (end == v || *end != '\0') Fail("not a number", v);
    return static_cast<int>(n);
  }
  std::string String(std::string_view name, std::string fallback) {
    const char* v = Find(name);
    return v == nullptr ? std::move(fallback) : std::string(v);
  }
  // Call after reading every flag: refuses the ones nobody asked for.
  void RefuseOthers() const {
    for (int i = 1; i < argc_; i += 2) {
      if (known_.find(std::string(argv_[i]) + " ") == std::string::npos) {
        Fail("unknown flag", argv_[i]);
      }
    }
  }

 private:
  const char* Find(std::string_view name) {
    known_ += std::string(name) + " ";
    for (int i = 1; i + 1 < argc_; i += 2) {
      if (name == argv_[i]) return argv_[i + 1];
    }
    return nullptr;
  }
  [[noreturn]] static void Fail(const char* what, const char* arg) {
    std::fprintf(stderr, "%s: %s\n", what, arg);
    std::exit(2);
  }
  int argc_;
  char** argv_;
  std::string known_;
};

// `given` when set (kept afterwards), else a fresh <tmp>/<prefix>_<pid> removed at the end.
class ScratchDir {
 public:
  ScratchDir(const std::string& given, const std::string& prefix)
      : path_(given.empty() ? (std::filesystem::temp_directory_path() /
                               (prefix + "_" + std::to_string(getpid())))
                                  .string()
                            : given),
        owned_(given.empty()) {
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    if (owned_) std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool owned_;
};

}  // namespace timelined::bench
