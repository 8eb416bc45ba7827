# cmake --install into a staging prefix and the installed binary run from there; the .deb.
add_test(NAME install.staged_prefix
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/scripts/install_test.sh
                 ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
set_tests_properties(install.staged_prefix PROPERTIES LABELS "install" TIMEOUT 120 PROCESSORS 2)
add_test(NAME install.debian_package
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/scripts/package_test.sh
                 ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
set_tests_properties(install.debian_package PROPERTIES LABELS "install" TIMEOUT 180 PROCESSORS 2
                     SKIP_RETURN_CODE 77)
