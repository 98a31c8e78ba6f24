# pwemoe_use_torch(<target>): links LibTorch into <target> with Torch's flags and, when
# PWEMOE_USE_PCH is on, the shared precompiled header pwemoe/util/torch_pch.h (built once by the
# first target that asks, reused by the others).
function(pwemoe_use_torch target)
  set_property(GLOBAL APPEND PROPERTY PWEMOE_TORCH_TARGETS ${target})
  target_link_libraries(${target} PUBLIC ${TORCH_LIBRARIES})
  target_compile_options(${target} PUBLIC ${PWEMOE_TORCH_CXX_FLAGS})
  if(PWEMOE_USE_PCH)
    get_property(_pch_owner GLOBAL PROPERTY PWEMOE_TORCH_PCH_OWNER)
    if(NOT _pch_owner)
      target_precompile_headers(${target} PRIVATE ${PROJECT_SOURCE_DIR}/pwemoe/util/torch_pch.h)
      set_property(GLOBAL PROPERTY PWEMOE_TORCH_PCH_OWNER ${target})
    else()
      target_precompile_headers(${target} REUSE_FROM ${_pch_owner})
    endif()
  endif()
endfunction()

# pwemoe_reuse_torch_pch(<target>): a target that compiles LibTorch code through the libraries it
# links (a test) reuses the shared precompiled header too.
function(pwemoe_reuse_torch_pch target)
  get_property(_pch_owner GLOBAL PROPERTY PWEMOE_TORCH_PCH_OWNER)
  if(PWEMOE_USE_PCH AND _pch_owner)
    target_compile_options(${target} PRIVATE ${PWEMOE_TORCH_CXX_FLAGS})
    target_precompile_headers(${target} REUSE_FROM ${_pch_owner})
  endif()
endfunction()
