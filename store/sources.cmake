target_sources(timelined_store PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/local_feed.cc
)
