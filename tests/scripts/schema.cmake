# docs/board.schema.json checked by an independent validator (Debian's python3-jsonschema) against
# every catalog board, every `tockctl config init` output and every docs/board-config.md example;
# each of those must also pass `tockctl config validate`.
find_program(TOCKCTL_SYSTEM_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT TOCKCTL_SYSTEM_PYTHON3)
  find_program(TOCKCTL_SYSTEM_PYTHON3 NAMES python3)
endif()
if(TOCKCTL_SYSTEM_PYTHON3)
  add_test(NAME scripts.board_schema
           COMMAND ${TOCKCTL_SYSTEM_PYTHON3}
                   ${CMAKE_CURRENT_SOURCE_DIR}/scripts/check_board_schema.py
                   --tockctl $<TARGET_FILE:tockctl> --source ${PROJECT_SOURCE_DIR})
endif()
