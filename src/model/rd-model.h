/* rd-model.h — everything the model library offers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rd-model-error.h"
#include "rd-lifecycle.h"
#include "rd-priority.h"
#include "rd-validate.h"
#include "rd-record.h"
#include "rd-patient.h"
#include "rd-coverage.h"
#include "rd-provider.h"
#include "rd-referral.h"
#include "rd-document.h"
