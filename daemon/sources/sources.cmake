# The evidence sources, one folder each (daemon/README.md, "Where a change goes"): a new
# source is one more name here and one more line in app.cc's kSources.
foreach(source
    generic
    logs
    kubernetes
    pagerduty
    slack)
  include(${CMAKE_CURRENT_LIST_DIR}/${source}/sources.cmake)
endforeach()
