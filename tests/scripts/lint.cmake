# Static checks (scripts/lint): clang-format over every tracked C/C++ file, clang-tidy over the
# library and CLI sources changed since the merge base with main (TOCKCTL_LINT_ALL=1: all).
# clang-tidy reads its per-file compile commands from a configure-only tree in this build
# directory (lint-db), so it also runs in the sanitizer build that ./scripts/test makes.
add_test(NAME lint.clang_format COMMAND ${PROJECT_SOURCE_DIR}/scripts/lint --format)
set_tests_properties(lint.clang_format PROPERTIES LABELS "lint" TIMEOUT 60)
add_test(NAME lint.clang_tidy COMMAND ${PROJECT_SOURCE_DIR}/scripts/lint --tidy)
set_tests_properties(lint.clang_tidy PROPERTIES LABELS "lint" TIMEOUT 1200 PROCESSORS 2
                     ENVIRONMENT "TOCKCTL_BUILD_DIR=${PROJECT_BINARY_DIR}")
