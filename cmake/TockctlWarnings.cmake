# Compiler flags shared by every tockctl target.
add_library(tockctl_warnings INTERFACE)
target_compile_options(tockctl_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor>
  $<$<BOOL:${TOCKCTL_WERROR}>:-Werror>)
if(TOCKCTL_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
