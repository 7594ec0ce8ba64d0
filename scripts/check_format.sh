#!/usr/bin/env bash
# Fails if any C++ file differs from .clang-format (clang-format 14).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.h' '*.cpp')
clang-format-14 --dry-run -Werror "${files[@]}"
echo "format: ${#files[@]} files clean"
