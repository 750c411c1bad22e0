#pragma once
// Reading a PDF back with poppler-utils (pdfinfo, pdftotext, pdffonts; scripts/install-deps.sh),
// to prove that a document is a real PDF with real, searchable text. A tool that cannot run or
// exits non-zero fails the current test.
#include <string>

namespace slussen::testing {

// The string in single quotes for /bin/sh.
std::string ShellQuote(const std::string& s);
// stdout and stderr of a shell command.
std::string RunTool(const std::string& command);
// The text of the PDF (UTF-8); pages `first` to `last` if given (from 1), else all.
std::string PdfText(const std::string& path, int first = 0, int last = 0);
// pdfinfo's output (Title:, Pages:, ...).
std::string PdfInfo(const std::string& path);
// The page count pdfinfo reports; 0 (and a test failure) if it reports none.
int PdfPages(const std::string& path);
// The first `n` bytes of a file.
std::string FileHead(const std::string& path, std::size_t n);

}  // namespace slussen::testing
