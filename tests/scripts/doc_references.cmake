# Every document that code, scripts or docs refer to exists (tests/scripts/check_doc_references.py).
find_program(TOCKCTL_DOCREF_PYTHON3 NAMES python3)
if(TOCKCTL_DOCREF_PYTHON3)
  add_test(NAME scripts.doc_references
           COMMAND ${TOCKCTL_DOCREF_PYTHON3}
                   ${CMAKE_CURRENT_SOURCE_DIR}/scripts/check_doc_references.py
                   --source ${PROJECT_SOURCE_DIR})
  set_tests_properties(scripts.doc_references PROPERTIES LABELS "docs")
endif()
