# The test suite's own temp folder (TMPDIR for every test, tests/CMakeLists.txt):
#   cmake -DDIR=... -DMODE=fresh -P temp_folder.cmake   empty it before the tests run
#   cmake -DDIR=... -DMODE=check -P temp_folder.cmake   fail, naming them, if tests left files behind
if(MODE STREQUAL "fresh")
  file(REMOVE_RECURSE "${DIR}")
  file(MAKE_DIRECTORY "${DIR}")
elseif(MODE STREQUAL "check")
  file(GLOB left RELATIVE "${DIR}" "${DIR}/*")
  if(left)
    list(JOIN left "\n  " names)
    message(FATAL_ERROR "tests left these behind in ${DIR} (clean up on exit, e.g. with test::TempDir):\n  ${names}")
  endif()
  message(STATUS "nothing left behind in ${DIR}")
else()
  message(FATAL_ERROR "MODE must be fresh or check")
endif()
