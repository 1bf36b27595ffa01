# Sourced by the benchmark scripts: build_target BUILD TARGET builds TARGET in BUILD (a build dir
# with tests enabled) and prints the build line the figures go with; exits 2 when BUILD was
# configured without tests.
build_target() {
  local build=$1 target=$2
  if grep -q '^CYANRIG_BUILD_TESTS:BOOL=OFF' "$build/CMakeCache.txt" 2>/dev/null; then
    echo "$build is configured without tests (the release preset); reconfigure it with" >&2
    echo "  cmake -S . -B $build -DCYANRIG_BUILD_TESTS=ON" >&2
    exit 2
  fi
  cmake --build "$build" --target "$target" >/dev/null
  local build_type
  build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt")
  echo "build: $build ($build_type), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores"
}
