# Shared build helpers: warnings, sanitizers, fuzzing, and one way to declare tests.

option(TESSERA_WERROR "Treat warnings in Tessera's own code as errors" ON)
# Fuzz builds use clang's libFuzzer: -DCMAKE_CXX_COMPILER=clang++ -DTESSERA_FUZZ=ON
# (`make fuzz`). Without it, tests/fuzz builds each target with a replay driver
# that runs its corpus once as a ctest test.
option(TESSERA_FUZZ "Build the libFuzzer targets in tests/fuzz (clang only)" OFF)

# Sanitizers apply to every target from here down (libraries, tests, the tessera
# binary, the integration-test helpers), so one instrumented object never calls
# an uninstrumented one that owns memory. UBSan findings abort (no recovery), so
# a test that trips one fails instead of printing a line nobody reads.
if(TESSERA_SANITIZE OR TESSERA_FUZZ)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
if(TESSERA_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "TESSERA_FUZZ needs clang++ (libFuzzer): -DCMAKE_CXX_COMPILER=clang++")
  endif()
  # Coverage instrumentation everywhere; only the fuzz targets link libFuzzer's main.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

# Flags for Tessera's own code (not for third-party headers).
function(tessera_compile_options target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(TESSERA_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 reports false "maybe-uninitialized" warnings inside std::variant and
    # std::optional at -O2 (GCC bug 105562 and relatives); keep it a warning.
    target_compile_options(${target} PRIVATE -Wno-error=maybe-uninitialized -Wno-maybe-uninitialized)
  endif()
endfunction()

# tessera_library(name SOURCES a.cc b.cc DEPS lib1 lib2)
function(tessera_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  tessera_compile_options(${name})
endfunction()

# tessera_test(name SOURCES a_test.cc DEPS lib [PROPERTIES prop value ...]) — a
# GoogleTest binary whose tests ctest lists one by one. Tests run with the
# repository root as the working directory, so they can read ../shared and
# testdata by relative path. PROPERTIES are added to every test (e.g.
# FIXTURES_REQUIRED pg_cluster for the tests that use the PostgreSQL cluster).
function(tessera_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PROPERTIES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  tessera_compile_options(${name})
  gtest_discover_tests(${name}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    DISCOVERY_MODE PRE_TEST
    # One variable only: a ';' here would split the property list. The binary
    # directory is compiled into tests/integration's support library instead.
    PROPERTIES ENVIRONMENT "TESSERA_SOURCE_DIR=${PROJECT_SOURCE_DIR}" ${ARG_PROPERTIES})
endfunction()
