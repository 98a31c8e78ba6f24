# Finds every dependency. Required ones fail the configure step with the Debian package to install;
# optional ones (CUDA, NCCL) set PWEMOE_HAVE_<X> and add sources only when found.

function(pwemoe_require found what package)
  if(NOT ${found})
    message(FATAL_ERROR "pwemoe: ${what} not found; install it with: apt-get install ${package} "
                        "(or run scripts/install-deps.sh)")
  endif()
endfunction()

find_package(Threads REQUIRED)

find_package(Torch QUIET)
pwemoe_require(Torch_FOUND "LibTorch" libtorch-dev)
# The code keeps to the API of both Debian's LibTorch 1.13 and the GPU machines' 2.11 (docs/gpu.md,
# "LibTorch 2.x"), in C++17. PyTorch's own sources moved to C++20 after 2.11, so a newer LibTorch's
# headers are compiled as C++20.
if(Torch_VERSION VERSION_GREATER_EQUAL 2.12)
  set(CMAKE_CXX_STANDARD 20)
  message(STATUS "pwemoe: LibTorch ${Torch_VERSION}: compiling as C++20")
endif()
# Torch's config adds its flags as a plain string; keep them on our torch targets only.
separate_arguments(PWEMOE_TORCH_CXX_FLAGS UNIX_COMMAND "${TORCH_CXX_FLAGS}")
# Every other library we link (GoogleTest, spdlog, TOML++, ...) uses the C++11 std::string ABI,
# and so does our non-torch code: a LibTorch built with the old ABI (older PyTorch pip wheels)
# would fail at link time with undefined [abi:cxx11] symbols. Say so now instead.
if(TORCH_CXX_FLAGS MATCHES "_GLIBCXX_USE_CXX11_ABI=0")
  message(FATAL_ERROR "pwemoe: the LibTorch at ${Torch_DIR} is built with the pre-C++11 ABI "
                      "(-D_GLIBCXX_USE_CXX11_ABI=0), which cannot link with the system libraries; "
                      "use a cxx11-ABI LibTorch (-DCMAKE_PREFIX_PATH=<libtorch>)")
endif()

find_package(MPI QUIET COMPONENTS CXX)
pwemoe_require(MPI_CXX_FOUND "MPI" "libopenmpi-dev openmpi-bin")

find_package(HDF5 QUIET COMPONENTS C)
pwemoe_require(HDF5_FOUND "HDF5" libhdf5-dev)
if(NOT TARGET hdf5::hdf5)
  add_library(hdf5::hdf5 INTERFACE IMPORTED)
  target_include_directories(hdf5::hdf5 INTERFACE ${HDF5_INCLUDE_DIRS})
  target_link_libraries(hdf5::hdf5 INTERFACE ${HDF5_LIBRARIES})
  target_compile_definitions(hdf5::hdf5 INTERFACE ${HDF5_DEFINITIONS})
endif()

find_package(tomlplusplus QUIET)
pwemoe_require(tomlplusplus_FOUND "TOML++" libtomlplusplus-dev)

find_package(spdlog QUIET)
pwemoe_require(spdlog_FOUND "spdlog" libspdlog-dev)

find_package(nlohmann_json QUIET)
pwemoe_require(nlohmann_json_FOUND "nlohmann-json" nlohmann-json3-dev)

# The CLIP tokenizer (pwemoe/text): Unicode general categories, NFC and full lower-casing as
# Python does them (see pwemoe/text/clip_text.cpp for why glibc's wide-character classes do not do).
find_package(ICU QUIET COMPONENTS uc)
pwemoe_require(ICU_FOUND "ICU (libicuuc)" libicu-dev)

find_path(GLPK_INCLUDE_DIR glpk.h)
find_library(GLPK_LIBRARY glpk)
if(GLPK_INCLUDE_DIR AND GLPK_LIBRARY)
  set(GLPK_FOUND TRUE)
  add_library(glpk::glpk UNKNOWN IMPORTED)
  set_target_properties(glpk::glpk PROPERTIES IMPORTED_LOCATION ${GLPK_LIBRARY}
                        INTERFACE_INCLUDE_DIRECTORIES ${GLPK_INCLUDE_DIR})
endif()
pwemoe_require(GLPK_FOUND "GLPK" libglpk-dev)

# The built-in benchmark's data (pwemoe/mini): gzip IDX files and glyphs rendered from fonts.
find_package(ZLIB QUIET)
pwemoe_require(ZLIB_FOUND "zlib" zlib1g-dev)

find_package(Freetype QUIET)
pwemoe_require(FREETYPE_FOUND "FreeType" libfreetype-dev)

# Image decoding for pwemoe-prepare-data (pwemoe/image): libjpeg-turbo and libpng.
find_package(JPEG QUIET)
pwemoe_require(JPEG_FOUND "libjpeg" libjpeg62-turbo-dev)

find_package(PNG QUIET)
pwemoe_require(PNG_FOUND "libpng" libpng-dev)

# ---- optional GPU path ---------------------------------------------------------------------
# Three layers, each added only when what it needs is found:
#   PWEMOE_HAVE_CUDART  the CUDA runtime (toolkit): comm/cuda_device (device binding) and CUDA_CHECK.
#   PWEMOE_HAVE_NCCL    + NCCL: comm/nccl_group, the communicator of groups of GPU ranks. Needs no
#                       CUDA LibTorch, so it compiles (and a typo fails) wherever the toolkit is.
#   PWEMOE_HAVE_CUDA    + a CUDA LibTorch: units run on GPUs. A run of groups of one needs no NCCL.
set(PWEMOE_HAVE_CUDART OFF)
set(PWEMOE_HAVE_NCCL OFF)
set(PWEMOE_HAVE_CUDA OFF)
if(NOT PWEMOE_WITH_CUDA STREQUAL "OFF" OR NOT PWEMOE_WITH_NCCL STREQUAL "OFF")
  find_package(CUDAToolkit QUIET)
endif()
if(CUDAToolkit_FOUND)
  set(PWEMOE_HAVE_CUDART ON)
endif()

if(NOT PWEMOE_WITH_NCCL STREQUAL "OFF")
  find_path(NCCL_INCLUDE_DIR nccl.h HINTS ${CUDAToolkit_INCLUDE_DIRS} ENV NCCL_HOME PATH_SUFFIXES include)
  find_library(NCCL_LIBRARY nccl HINTS ${CUDAToolkit_LIBRARY_DIR} ENV NCCL_HOME PATH_SUFFIXES lib lib64)
  if(CUDAToolkit_FOUND AND NCCL_INCLUDE_DIR AND NCCL_LIBRARY)
    set(PWEMOE_HAVE_NCCL ON)
    add_library(nccl::nccl UNKNOWN IMPORTED)
    set_target_properties(nccl::nccl PROPERTIES IMPORTED_LOCATION ${NCCL_LIBRARY}
                          INTERFACE_INCLUDE_DIRECTORIES ${NCCL_INCLUDE_DIR})
  elseif(PWEMOE_WITH_NCCL STREQUAL "ON")
    set(_why "")
    if(NOT CUDAToolkit_FOUND)
      string(APPEND _why " the CUDA toolkit (nvcc, cudart) was not found;")
    endif()
    if(NOT NCCL_INCLUDE_DIR OR NOT NCCL_LIBRARY)
      string(APPEND _why " NCCL (nccl.h, libnccl) was not found, set NCCL_HOME;")
    endif()
    message(FATAL_ERROR "pwemoe: PWEMOE_WITH_NCCL=ON but${_why} use PWEMOE_WITH_NCCL=AUTO or OFF")
  endif()
endif()

if(NOT PWEMOE_WITH_CUDA STREQUAL "OFF")
  # GPU compute needs a LibTorch built with CUDA: Debian's libtorch-dev is CPU-only.
  set(_torch_cuda OFF)
  if(TARGET torch_cuda OR TORCH_CUDA_LIBRARIES OR CAFFE2_USE_CUDA)
    set(_torch_cuda ON)
  endif()
  if(CUDAToolkit_FOUND AND _torch_cuda)
    set(PWEMOE_HAVE_CUDA ON)
  elseif(PWEMOE_WITH_CUDA STREQUAL "ON")
    set(_why "")
    if(NOT CUDAToolkit_FOUND)
      string(APPEND _why " the CUDA toolkit (nvcc, cudart) was not found;")
    endif()
    if(NOT _torch_cuda)
      string(APPEND _why " the LibTorch found at ${Torch_DIR} has no CUDA support, pass "
                          "-DCMAKE_PREFIX_PATH=<CUDA LibTorch>;")
    endif()
    message(FATAL_ERROR "pwemoe: PWEMOE_WITH_CUDA=ON but${_why} use PWEMOE_WITH_CUDA=AUTO or OFF "
                        "for a CPU build")
  endif()
endif()

# pwemoe_gpu_defines(<target> <PUBLIC|PRIVATE>): the PWEMOE_HAVE_{CUDART,NCCL,CUDA} defines that are
# on, and cudart's and NCCL's headers and libraries, for the targets whose code branches on them
# (kept off the others' compile lines, so that a toolkit appearing does not rebuild the whole tree;
# a static library's private libraries still reach the link of what links it).
function(pwemoe_gpu_defines target scope)
  foreach(_flag CUDART NCCL CUDA)
    if(PWEMOE_HAVE_${_flag})
      target_compile_definitions(${target} ${scope} PWEMOE_HAVE_${_flag})
    endif()
  endforeach()
  if(PWEMOE_HAVE_CUDART)
    target_link_libraries(${target} ${scope} CUDA::cudart)
  endif()
  if(PWEMOE_HAVE_NCCL)
    target_link_libraries(${target} ${scope} nccl::nccl)
  endif()
endfunction()
