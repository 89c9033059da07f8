# Sources of timelined_summarizer (included by CMakeLists.txt).
target_sources(timelined_summarizer PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/builder.cc
  ${CMAKE_CURRENT_LIST_DIR}/config.cc
  ${CMAKE_CURRENT_LIST_DIR}/correlate.cc
  ${CMAKE_CURRENT_LIST_DIR}/diff.cc
  ${CMAKE_CURRENT_LIST_DIR}/digest.cc
  ${CMAKE_CURRENT_LIST_DIR}/draft.cc
  ${CMAKE_CURRENT_LIST_DIR}/group.cc
  ${CMAKE_CURRENT_LIST_DIR}/ids.cc
  ${CMAKE_CURRENT_LIST_DIR}/metrics.cc
  ${CMAKE_CURRENT_LIST_DIR}/render_json.cc
  ${CMAKE_CURRENT_LIST_DIR}/render_markdown.cc
  ${CMAKE_CURRENT_LIST_DIR}/rules.cc
  ${CMAKE_CURRENT_LIST_DIR}/rules_kubernetes.cc
  ${CMAKE_CURRENT_LIST_DIR}/rules_log.cc
  ${CMAKE_CURRENT_LIST_DIR}/rules_pagerduty.cc
  ${CMAKE_CURRENT_LIST_DIR}/rules_slack.cc
  ${CMAKE_CURRENT_LIST_DIR}/template.cc
  ${CMAKE_CURRENT_LIST_DIR}/text.cc
  ${CMAKE_CURRENT_LIST_DIR}/timeline.cc
  ${CMAKE_CURRENT_LIST_DIR}/verify.cc
)
