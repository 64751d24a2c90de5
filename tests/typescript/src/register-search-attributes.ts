// Registers the suite's custom search attributes (src/search-attributes.ts) on a server started without
// start-dev's --search-attribute (`tempora start`), through OperatorService as a user would.
// Usage: node build/register-search-attributes.js ADDRESS
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { datetimeKey, intKey, keywordKey } from './search-attributes';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;

async function main(address: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    await connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: {
        [keywordKey.name]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        [intKey.name]: IndexedValueType.INDEXED_VALUE_TYPE_INT,
        [datetimeKey.name]: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
      },
    });
  } finally {
    await connection.close();
  }
}

main(process.argv[2] ?? '127.0.0.1:7233').catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
