# twin_add_test(name sources...): a GoogleTest executable whose tests are discovered one by one, so
# every test runs in its own process (SimGrid's engine is one per process). TWIN_TEST_TIMEOUT (s) is
# each test's limit: a sanitized Debug build runs the same simulations about ten times slower.
set(TWIN_TEST_TIMEOUT 600 CACHE STRING "Time limit of each test in seconds")
function(twin_add_test name)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE GTest::gtest_main twin_warnings)
  target_compile_definitions(${name} PRIVATE TWIN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  # Helpers shared by every test folder: #include "twin_test/<name>.hpp".
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests/common)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT ${TWIN_TEST_TIMEOUT})
endfunction()
