// Makes text from a request safe to put into a log line: no field can end the line, forge another
// field or line, or send control sequences to the terminal that shows the log.
#pragma once

#include <string>
#include <string_view>

namespace gomall {

/// `text` in double quotes, with '"' and '\' escaped by a backslash and every byte outside printable
/// ASCII (control characters, DEL, NUL, non-ASCII) written as \xNN. For request-supplied fields
/// (path, user agent, user names) in key=value log lines.
std::string log_quoted(std::string_view text);

/// Appends `text` with control characters (below 0x20, and DEL) written as \xNN and everything
/// else unchanged: the last guard of a text log line, whatever a message was built from.
void append_without_control_chars(std::string& out, std::string_view text);

}  // namespace gomall
