# draft_bench: BuildDraft time and peak RSS at 10k / 100k / 1M generated correlated events.
add_executable(draft_bench ${CMAKE_CURRENT_LIST_DIR}/draft_bench.cc)
target_link_libraries(draft_bench PRIVATE timelined_summarizer)
