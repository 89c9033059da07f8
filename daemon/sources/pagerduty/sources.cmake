target_sources(timelined_daemon PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/pagerduty_backfill.cc
  ${CMAKE_CURRENT_LIST_DIR}/pagerduty_source.cc
  ${CMAKE_CURRENT_LIST_DIR}/webhooks_pagerduty.cc
)
