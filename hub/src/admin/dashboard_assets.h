#pragma once
// The dashboard's files (hub/src/admin/dashboard/), compiled in at build time by
// hub/cmake/gen_embedded_xsd.cmake, so that the hub serves the page it was built with and needs
// no files beside its binary.
#include <string_view>

namespace slussen {

std::string_view DashboardHtml();
std::string_view DashboardJs();
std::string_view DashboardChartsJs();
std::string_view DashboardCss();

}  // namespace slussen
