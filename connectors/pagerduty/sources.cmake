# connectors/pagerduty: V3 webhook verification and parsing, REST log entries, backfill.
target_sources(timelined_connectors PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/backfill.cc
  ${CMAKE_CURRENT_LIST_DIR}/incident.cc
  ${CMAKE_CURRENT_LIST_DIR}/log_entries.cc
  ${CMAKE_CURRENT_LIST_DIR}/signature.cc
  ${CMAKE_CURRENT_LIST_DIR}/webhook.cc
)
