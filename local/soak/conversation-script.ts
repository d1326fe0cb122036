import { pick, type Random } from './prng';

/**
 * What a soak customer says next: order-status conversations with the demo tenant's workflow
 * (ask, give the order number, give the date), with some noise, HELP, and STOP/START. The
 * replies come from the real workflow; the script only has to sound like a customer.
 */
export interface CustomerMessage {
  readonly body: string;
  /** False for STOP and START: the platform stays silent (Twilio itself confirms them). */
  readonly expectsReply: boolean;
}

type Stage = 'asking' | 'givingNumber' | 'givingDate' | 'optedOut';

const OPENERS = [
  'Where is my order?',
  'where is my package',
  'Can you track my delivery?',
  'hi, my order has not arrived',
  'Hello! Any news on my order?',
];
const OPENERS_WITH_NUMBER = ['where is order {n}?', 'Track package {n} please', 'my order {n} is late'];
const NUMBER_ANSWERS = ['order {n}', "it's {n}", '{n}', 'The order number is {n}.'];
const DATE_ANSWERS = [
  'placed December 10',
  'I ordered it on December 10th',
  'last Monday',
  'Nov 3',
  'two weeks ago',
];
const NOISE = ['hmm?', 'what?', 'lol', '🙂 ok', 'are you a bot?'];
const OPT_OUT = ['STOP', 'stop', 'UNSUBSCRIBE'];
const OPT_IN = ['START', 'start'];

const orderNumber = (random: Random) => String(100_000 + Math.floor(random() * 900_000));

export class ConversationScript {
  private stage: Stage = 'asking';

  constructor(private readonly random: Random) {}

  next(): CustomerMessage {
    const { random } = this;
    if (this.stage === 'optedOut') {
      this.stage = 'asking';
      return { body: pick(random, OPT_IN), expectsReply: false };
    }
    const roll = random();
    if (roll < 0.03) {
      this.stage = 'optedOut';
      return { body: pick(random, OPT_OUT), expectsReply: false };
    }
    if (roll < 0.05) return { body: 'HELP', expectsReply: true };
    if (roll < 0.1) return { body: pick(random, NOISE), expectsReply: true };
    const withNumber = (template: string) => template.replace('{n}', orderNumber(random));
    switch (this.stage) {
      case 'asking':
        if (random() < 0.25) {
          this.stage = 'givingDate';
          return { body: withNumber(pick(random, OPENERS_WITH_NUMBER)), expectsReply: true };
        }
        this.stage = 'givingNumber';
        return { body: pick(random, OPENERS), expectsReply: true };
      case 'givingNumber':
        this.stage = 'givingDate';
        return { body: withNumber(pick(random, NUMBER_ANSWERS)), expectsReply: true };
      case 'givingDate':
        this.stage = 'asking';
        return { body: pick(random, DATE_ANSWERS), expectsReply: true };
    }
  }
}
