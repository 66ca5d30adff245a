#pragma once
/// @file
/// windash::pairing: the agent's side of the device-code flow (SPEC §3).

#include <windash/pairing/client.hpp>
#include <windash/pairing/errors.hpp>
#include <windash/pairing/flow.hpp>
