target_sources(timelined_daemon PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/log_routes.cc
  ${CMAKE_CURRENT_LIST_DIR}/logs_source.cc
)
