// file: URIs for the reporters and the language server (RFC 3986 / RFC 8089).
#pragma once

#include <string>

namespace lockcheck {

// Keeps unreserved characters and '/', percent-encodes the rest (spaces, '#', '%', UTF-8).
std::string percentEncode(const std::string &path);
// "file:///abs/path" for an absolute path; a relative one is made absolute first.
std::string fileUri(const std::string &path);
// The local path of a file: URI (percent-decoded); false for other schemes or bad escapes.
bool pathFromFileUri(const std::string &uri, std::string &path);

} // namespace lockcheck
