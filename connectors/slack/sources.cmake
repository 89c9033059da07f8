# connectors/slack: request signing, Events API parsing, thread backfill, user names.
target_sources(timelined_connectors PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/backfill.cc
  ${CMAKE_CURRENT_LIST_DIR}/events.cc
  ${CMAKE_CURRENT_LIST_DIR}/links.cc
  ${CMAKE_CURRENT_LIST_DIR}/message.cc
  ${CMAKE_CURRENT_LIST_DIR}/replies.cc
  ${CMAKE_CURRENT_LIST_DIR}/signature.cc
  ${CMAKE_CURRENT_LIST_DIR}/users.cc
)
