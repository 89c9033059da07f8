#pragma once
// A minimal YAML reader for kubeconfig files — block mappings and sequences (including the
// `key:\n- item` style kubectl writes), plain / single-quoted / double-quoted scalars,
// comments, empty `{}` / `[]`, and `---`. Not supported: anchors, tags, block scalars
// (| >), non-empty flow collections, multi-line plain scalars; they are reported as errors.
// A document starting with '{' is read as JSON (kubeconfig may be JSON). Pure, thread-safe.
//
// Scalars become JSON strings, except true/false (bool) and null/~ (null).
#include <nlohmann/json.hpp>
#include <string_view>

#include "store/model/error.h"

namespace timelined::connectors::kubernetes {

// Errors: kInvalidInput "invalid_yaml" with the 1-based line number in the detail.
Result<nlohmann::json> ParseMiniYaml(std::string_view text);

}  // namespace timelined::connectors::kubernetes
