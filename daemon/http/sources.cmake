# The HTTP layer: request/response values, router, metrics registry, Beast server.
target_sources(timelined_daemon PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/types.cc
  ${CMAKE_CURRENT_LIST_DIR}/request_head.cc
  ${CMAKE_CURRENT_LIST_DIR}/router.cc
  ${CMAKE_CURRENT_LIST_DIR}/metrics.cc
  ${CMAKE_CURRENT_LIST_DIR}/server.cc
  ${CMAKE_CURRENT_LIST_DIR}/server_session.cc
)
