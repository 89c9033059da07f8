target_sources(timelined_daemon PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/generic_source.cc
)
