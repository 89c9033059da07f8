# The evidence sources, one folder each (daemon/README.md, "Adding a source"): a new source
# is one more name here and one more line in app.cc's source list.
foreach(source logs kubernetes pagerduty slack)
  include(${CMAKE_CURRENT_LIST_DIR}/${source}/sources.cmake)
endforeach()
