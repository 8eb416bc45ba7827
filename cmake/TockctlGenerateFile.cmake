# Script mode: runs `TOCKCTL completion KIND` and writes its stdout to OUTPUT.
#   cmake -DTOCKCTL=path/to/tockctl -DKIND=bash -DOUTPUT=file -P TockctlGenerateFile.cmake
execute_process(COMMAND ${TOCKCTL} completion ${KIND}
                OUTPUT_FILE ${OUTPUT}.tmp
                RESULT_VARIABLE result
                ERROR_VARIABLE errors)
if(NOT result EQUAL 0)
  file(REMOVE ${OUTPUT}.tmp)
  message(FATAL_ERROR "tockctl completion ${KIND} failed (${result}): ${errors}")
endif()
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
