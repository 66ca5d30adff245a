#pragma once
/// @file
/// windash::agent: what the windash-agent binary is made of (configuration so far).

#include <windash/agent/config.hpp>
