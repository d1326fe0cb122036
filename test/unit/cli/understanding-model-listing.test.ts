import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BedrockModelListing,
  modelIdLookup,
  needsInferenceProfiles,
  understandingModelListingWarning,
} from '../../../cli/understanding-model-listing';
import { stages } from '../../../lib/config';
import { LOCAL_MODEL_CATALOG } from '../../../local/standins/bedrock-catalog';

const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
const PROFILE_ONLY = 'anthropic.claude-3-5-haiku-20241022-v1:0';

const listing: BedrockModelListing = {
  region: 'us-east-1',
  foundationModels: [
    { modelId: HAIKU, inferenceTypesSupported: ['ON_DEMAND'] },
    { modelId: PROFILE_ONLY, inferenceTypesSupported: ['INFERENCE_PROFILE'] },
    // Older answers leave the inference types out: nothing to say about them then.
    { modelId: 'amazon.titan-text-lite-v1' },
  ],
  inferenceProfileIds: [`us.${HAIKU}`, `us.${PROFILE_ONLY}`],
};
const listed = { ok: true as const, listing };

describe('modelIdLookup', () => {
  it.each([
    [HAIKU, { kind: 'foundation-model', id: HAIKU }],
    [`us.${HAIKU}`, { kind: 'inference-profile', id: `us.${HAIKU}` }],
    [`global.${HAIKU}`, { kind: 'inference-profile', id: `global.${HAIKU}` }],
    [`arn:aws:bedrock:us-east-1::foundation-model/${HAIKU}`, { kind: 'foundation-model', id: HAIKU }],
    [
      `arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.${HAIKU}`,
      { kind: 'inference-profile', id: `eu.${HAIKU}` },
    ],
    [
      'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3',
      { kind: 'unlisted-kind' },
    ],
    ['arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc', { kind: 'unlisted-kind' }],
    ['arn:aws:sagemaker:us-east-1:123456789012:endpoint/x', { kind: 'unlisted-kind' }],
  ])('%s', (modelId, lookup) => {
    expect(modelIdLookup(modelId)).toEqual(lookup);
    expect(needsInferenceProfiles(modelId)).toBe(lookup.kind === 'inference-profile');
  });
});

describe('understandingModelListingWarning', () => {
  it('says nothing of a listed on-demand model, a listed profile, or either by ARN', () => {
    for (const modelId of [
      HAIKU,
      `us.${HAIKU}`,
      `us.${PROFILE_ONLY}`,
      'amazon.titan-text-lite-v1',
      `arn:aws:bedrock:us-east-1::foundation-model/${HAIKU}`,
      `arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.${HAIKU}`,
    ])
      expect(understandingModelListingWarning(modelId, listed), modelId).toBeUndefined();
  });

  it('warns of a foundation model the Region does not list', () => {
    expect(understandingModelListingWarning('anthropic.claude-9-v1:0', listed)).toBe(
      'understanding.modelId anthropic.claude-9-v1:0: Bedrock in us-east-1 lists no such foundation model (ListFoundationModels); calls would fail and the rules would answer alone',
    );
  });

  it('warns of a profile of another geography, never stripping it to the listed model', () => {
    expect(understandingModelListingWarning(`eu.${HAIKU}`, listed)).toBe(
      `understanding.modelId eu.${HAIKU}: Bedrock in us-east-1 lists no such inference profile (ListInferenceProfiles); calls would fail and the rules would answer alone`,
    );
  });

  it('warns of a listed model that is not on demand, pointing at inference profiles', () => {
    expect(understandingModelListingWarning(PROFILE_ONLY, listed)).toBe(
      `understanding.modelId ${PROFILE_ONLY}: Bedrock in us-east-1 offers it only as INFERENCE_PROFILE, not on demand; name an inference profile id that contains it (aws bedrock list-inference-profiles)`,
    );
  });

  it('says why a model could not be checked, with the Region when known', () => {
    expect(
      understandingModelListingWarning(HAIKU, {
        ok: false,
        region: 'eu-west-1',
        reason: 'AccessDeniedException: not authorized to perform: bedrock:ListFoundationModels',
      }),
    ).toBe(
      `understanding.modelId ${HAIKU} could not be checked against the models Bedrock offers in eu-west-1: AccessDeniedException: not authorized to perform: bedrock:ListFoundationModels`,
    );
    expect(understandingModelListingWarning(HAIKU, { ok: false, reason: 'Region is missing' })).toBe(
      `understanding.modelId ${HAIKU} could not be checked against the models Bedrock offers: Region is missing`,
    );
    expect(
      understandingModelListingWarning(`us.${HAIKU}`, {
        ok: true,
        listing: { region: 'us-east-1', foundationModels: [] },
      }),
    ).toMatch(/could not be checked .*: inference profiles were not listed$/);
  });

  it('never judges an ARN the listings do not cover, even when the listing failed', () => {
    const custom = 'arn:aws:bedrock:us-east-1:123456789012:custom-model/x';
    expect(understandingModelListingWarning(custom, { ok: false, reason: 'offline' })).toBeUndefined();
    expect(understandingModelListingWarning(custom, listed)).toBeUndefined();
  });

  const modelId = fc.stringMatching(/^[a-z][a-z0-9.:_-]{0,40}$/);

  it('warns exactly when an id is missing from the listing (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(modelId, { maxLength: 6 }),
        fc.oneof(modelId, fc.constant('arn:x')),
        (ids, asked) => {
          const outcome = {
            ok: true as const,
            listing: {
              region: 'us-west-2',
              foundationModels: ids.map((id) => ({ modelId: id, inferenceTypesSupported: ['ON_DEMAND'] })),
              inferenceProfileIds: ids,
            },
          };
          const warning = understandingModelListingWarning(asked, outcome);
          const lookup = modelIdLookup(asked);
          expect(warning === undefined).toBe(lookup.kind === 'unlisted-kind' || ids.includes(asked));
          if (warning) expect(warning).toContain(`understanding.modelId ${asked}`);
        },
      ),
    );
  });

  it('always warns, naming the reason, when the listing failed (property)', () => {
    fc.assert(
      fc.property(
        modelId.filter((id) => !id.startsWith('arn:')),
        fc.string({ minLength: 1, maxLength: 40 }),
        (asked, reason) => {
          const warning = understandingModelListingWarning(asked, { ok: false, reason });
          expect(warning).toBeDefined();
          expect(warning?.endsWith(`: ${reason}`)).toBe(true);
        },
      ),
    );
  });
});

describe('the local Bedrock stand-in catalog', () => {
  it("lists every stage's understandingModelIds, on demand (or its profile)", () => {
    for (const config of Object.values(stages))
      for (const id of config.understandingModelIds)
        expect(
          understandingModelListingWarning(id, {
            ok: true,
            listing: {
              region: 'us-east-1',
              foundationModels: LOCAL_MODEL_CATALOG.foundationModels,
              inferenceProfileIds: LOCAL_MODEL_CATALOG.inferenceProfiles.map(
                (profile) => profile.inferenceProfileId,
              ),
            },
          }),
          `${config.stage}: ${id}`,
        ).toBeUndefined();
  });
});
