target_sources(timelined_daemon PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/body.cc
  ${CMAKE_CURRENT_LIST_DIR}/pipeline.cc
)
