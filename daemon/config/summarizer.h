#pragma once
// [summarizer]: drafts: settle delay, regenerate signing secret, notify URL, correlation (issue 6).
// The struct is a member of config::Config; its keys are declared in summarizer.cc
// (SummarizerKeys) and cross-checked by ValidateSummarizer.

namespace timelined::config {

struct SummarizerSettings {};

}  // namespace timelined::config
