// The custom search attributes the tests use. scripts/test-typescript.sh registers the same names on the server it
// starts (start-dev --search-attribute); workflows import this file too, so it uses @temporalio/common only.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const keywordKey = defineSearchAttributeKey('TsSuiteKeyword', SearchAttributeType.KEYWORD);
export const intKey = defineSearchAttributeKey('TsSuiteInt', SearchAttributeType.INT);
export const datetimeKey = defineSearchAttributeKey('TsSuiteDatetime', SearchAttributeType.DATETIME);
