target_sources(timelined_daemon PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/kube_watch.cc
  ${CMAKE_CURRENT_LIST_DIR}/kubernetes_source.cc
)
