# Slack (issue 3): Events API webhook, bindings, thread backfill, user names.
target_sources(timelined_daemon PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/routes_bindings.cc
  ${CMAKE_CURRENT_LIST_DIR}/slack_backfill_worker.cc
  ${CMAKE_CURRENT_LIST_DIR}/slack_bindings.cc
  ${CMAKE_CURRENT_LIST_DIR}/slack_service.cc
  ${CMAKE_CURRENT_LIST_DIR}/slack_source.cc
  ${CMAKE_CURRENT_LIST_DIR}/slack_user_names.cc
  ${CMAKE_CURRENT_LIST_DIR}/webhooks_slack.cc
)
