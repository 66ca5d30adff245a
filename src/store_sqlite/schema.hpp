#pragma once
#include "store_sql/sql.hpp"

namespace windash::store::sqlite {

/// The SQLite migrations.
[[nodiscard]] detail::dialect sqlite_dialect() noexcept;

}  // namespace windash::store::sqlite
