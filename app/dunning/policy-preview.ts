import { attemptDays, delayBeforeRetryDays, type DunningPolicy, FinalAction, remainingScheduleDays, type RetrySchedule } from "./policy";

// A dunning policy in plain words, as the settings page previews it while the merchant types
// ("A temporary decline is retried after 1, 3 and 5 days, then the contract is paused").
// Pure: it runs in the browser on the form's values and on the server alike.

export interface PolicyPreviewLine {
  /** What the line is about, for its heading: "Temporary declines". */
  topic: string;
  text: string;
}

const FINAL_ACTION_RESULT: Record<FinalAction, string> = {
  [FinalAction.Skip]: "the cycle is skipped and the subscription continues with the next one",
  [FinalAction.Pause]: "the contract is paused",
  [FinalAction.Cancel]: "the contract is cancelled",
};

/** One line per kind of failure the policy decides, then the emails. */
export function describeDunningPolicy(policy: DunningPolicy): PolicyPreviewLine[] {
  return [
    { topic: "Temporary declines", text: `A temporary decline (such as insufficient funds) ${retriedThen(policy.payment)}.` },
    { topic: "Cards that need updating", text: describeHardDeclines(policy) },
    {
      topic: "Out of stock",
      text: `An out-of-stock failure ${retriedThen(policy.inventory)}. You are told each time; the customer is not emailed.`,
    },
    { topic: "Emails", text: describeEmails(policy) },
    { topic: "3-D Secure", text: "A payment that needs 3-D Secure waits for the customer to authenticate; it is never retried." },
  ];
}

/** "is retried after 1, 3 and 5 days (days 1, 4 and 9 after the first failure), then the contract is paused" */
function retriedThen(schedule: RetrySchedule): string {
  const then = FINAL_ACTION_RESULT[schedule.finalAction];
  if (schedule.retryCount === 0) return `is not retried: ${then} at once`;
  const delays = Array.from({ length: schedule.retryCount }, (_, i) => delayBeforeRetryDays(schedule, i));
  const days = attemptDays(schedule).slice(1);
  if (schedule.retryCount === 1) return `is retried once, after ${dayCount(delays[0])}; if that fails, ${then}`;
  return `is retried ${schedule.retryCount} times, after ${listOf(delays)} days (days ${listOf(days)} after the first failure); if the last retry fails, ${then}`;
}

function describeHardDeclines(policy: DunningPolicy): string {
  const then = FINAL_ACTION_RESULT[policy.payment.finalAction];
  const waits = remainingScheduleDays(policy.payment, 0);
  const asked = policy.sendPaymentUpdateEmail ? "the customer is emailed for a new one" : "the customer is not emailed (emails are off)";
  if (waits === 0) return `A card that needs updating (expired, or refused for good) is not retried: ${asked}, and ${then} at once.`;
  return (
    `A card that needs updating (expired, or refused for good) is not retried: ${asked}, the payment is retried as soon as ` +
    `they add a new card, and if they have not within ${dayCount(waits)}, ${then}.`
  );
}

function describeEmails(policy: DunningPolicy): string {
  if (!policy.sendPaymentUpdateEmail) return "Customers are not emailed after a declined payment.";
  const hours = policy.paymentUpdateEmailIntervalHours;
  const every = hours === 1 ? "once an hour" : hours === 24 ? "once a day" : hours % 24 === 0 ? `once every ${hours / 24} days` : `once every ${hours} hours`;
  return `After a declined payment the customer is emailed a link to update their payment method, at most ${every} per failed payment.`;
}

function dayCount(days: number): string {
  return days === 1 ? "1 day" : `${days} days`;
}

/** "1, 3 and 5" */
function listOf(values: number[]): string {
  if (values.length <= 1) return values.join("");
  return `${values.slice(0, -1).join(", ")} and ${values[values.length - 1]}`;
}
