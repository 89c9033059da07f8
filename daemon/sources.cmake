target_sources(timelined_daemon PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/app.cc
  ${CMAKE_CURRENT_LIST_DIR}/cli.cc
  ${CMAKE_CURRENT_LIST_DIR}/drafts_service.cc
  ${CMAKE_CURRENT_LIST_DIR}/incident_hooks.cc
  ${CMAKE_CURRENT_LIST_DIR}/ingest.cc
  ${CMAKE_CURRENT_LIST_DIR}/kube_watch.cc
  ${CMAKE_CURRENT_LIST_DIR}/logging.cc
  ${CMAKE_CURRENT_LIST_DIR}/pagerduty_backfill.cc
  ${CMAKE_CURRENT_LIST_DIR}/routes.cc
  ${CMAKE_CURRENT_LIST_DIR}/routes_drafts.cc
  ${CMAKE_CURRENT_LIST_DIR}/routes_machine.cc
  ${CMAKE_CURRENT_LIST_DIR}/webhooks_pagerduty.cc
  ${CMAKE_CURRENT_LIST_DIR}/worker_guard.cc

  # Slack (issue 3): Events API webhook, bindings, thread backfill.
  ${CMAKE_CURRENT_LIST_DIR}/routes_bindings.cc
  ${CMAKE_CURRENT_LIST_DIR}/slack_backfill_worker.cc
  ${CMAKE_CURRENT_LIST_DIR}/slack_bindings.cc
  ${CMAKE_CURRENT_LIST_DIR}/slack_service.cc
  ${CMAKE_CURRENT_LIST_DIR}/webhooks_slack.cc
)
