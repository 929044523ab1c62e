# Shared build helpers: warnings, sanitizers, and one way to declare tests.

# Flags for Tessera's own code (not for third-party headers).
function(tessera_compile_options target)
  # GCC 12 reports false "maybe-uninitialized" warnings inside std::variant and
  # std::optional at -O2 (GCC bug 105562 and relatives); keep it a warning.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wno-error=maybe-uninitialized -Wno-maybe-uninitialized)
  if(TESSERA_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# tessera_library(name SOURCES a.cc b.cc DEPS lib1 lib2)
function(tessera_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  tessera_compile_options(${name})
  if(TESSERA_SANITIZE)
    target_link_options(${name} PUBLIC -fsanitize=address,undefined)
  endif()
endfunction()

# tessera_test(name SOURCES a_test.cc DEPS lib) — a GoogleTest binary whose
# tests ctest lists one by one. Tests run with the repository root as the
# working directory, so they can read ../shared and testdata by relative path.
function(tessera_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  tessera_compile_options(${name})
  gtest_discover_tests(${name}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    DISCOVERY_MODE PRE_TEST
    PROPERTIES ENVIRONMENT "TESSERA_SOURCE_DIR=${PROJECT_SOURCE_DIR};TESSERA_BINARY_DIR=${PROJECT_BINARY_DIR}")
endfunction()
