target_sources(timelined_daemon PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/app.cc
  ${CMAKE_CURRENT_LIST_DIR}/cli.cc
  ${CMAKE_CURRENT_LIST_DIR}/core_routes.cc
  ${CMAKE_CURRENT_LIST_DIR}/drafts_service.cc
  ${CMAKE_CURRENT_LIST_DIR}/incident_hooks.cc
  ${CMAKE_CURRENT_LIST_DIR}/logging.cc
  ${CMAKE_CURRENT_LIST_DIR}/options.cc
  ${CMAKE_CURRENT_LIST_DIR}/routes.cc
  ${CMAKE_CURRENT_LIST_DIR}/routes_drafts.cc
  ${CMAKE_CURRENT_LIST_DIR}/serve.cc
  ${CMAKE_CURRENT_LIST_DIR}/telemetry.cc
  ${CMAKE_CURRENT_LIST_DIR}/worker_guard.cc
)
