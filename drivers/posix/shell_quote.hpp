// Text for /bin/sh -c (ShellCommand) built from words that may hold anything: file names with spaces
// or quotes, values from a rack file.
#pragma once

#include <span>
#include <string>

namespace cyanrig {

// 'text' for /bin/sh: single quotes, with embedded single quotes spelled '\''.
std::string shell_quoted(const std::string& text);

// The words as one command line: each as it is when the shell would read it back unchanged
// (letters, digits and @%+=:,./_-), else shell_quoted, so the line stays readable where it can.
std::string shell_words(std::span<const std::string> words);

}  // namespace cyanrig
